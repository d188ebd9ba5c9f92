// Versions that would show "uploading" forever: a file that never came, a derive that died part-way. The rule says
// which one it is and what to do; the reconciler writes it only while the version is still as it read it.
import './handler-env';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { staleUploadFinding, type UploadingVersion } from '#domain/stale-uploads';

const { handler } = await import('#handlers/reconcile');
const ddb = mockClient(DynamoDBDocumentClient);

const NOW = new Date('2026-12-03T12:00:00.000Z');
const LIMITS = { uploadGraceSeconds: 6 * 3600, deriveGraceSeconds: 1800 };
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const upload = (patch: Partial<UploadingVersion> = {}): UploadingVersion => ({ version: 3, createdAt: hoursAgo(7), ...patch });

describe('which UPLOADING versions are stale', () => {
  it('ends an upload whose file never came once its form is long expired, saying to upload again', () => {
    expect(staleUploadFinding(upload(), NOW, LIMITS)).toEqual({ code: 'UPLOAD_NEVER_ARRIVED', message: expect.stringMatching(/version 3.*Upload the dataset again\.$/) });
    expect(staleUploadFinding(upload({ createdAt: hoursAgo(5) }), NOW, LIMITS), 'an upload may still be going').toBeNull();
  });

  it('ends a derive whose claim ran out long ago, saying to save the edit again from its source', () => {
    const died = upload({ createdAt: hoursAgo(1), derivedFrom: 2, deriveLeaseUntil: NOW.getTime() - 31 * 60_000 });
    expect(staleUploadFinding(died, NOW, LIMITS)).toEqual({ code: 'DERIVE_INTERRUPTED', message: expect.stringMatching(/^Building version 3 from version 2 stopped.*Open version 2 in the editor and save the edit again\.$/) });
    expect(staleUploadFinding({ ...died, deriveLeaseUntil: NOW.getTime() - 60_000 }, NOW, LIMITS), 'a retry may still claim it').toBeNull();
    expect(staleUploadFinding({ ...died, deriveLeaseUntil: NOW.getTime() + 60_000 }, NOW, LIMITS), 'a derive is running').toBeNull();
  });

  it('ends an edit that never started (its added files never came) after the upload grace', () => {
    expect(staleUploadFinding(upload({ derivedFrom: 2 }), NOW, LIMITS)?.code).toBe('DERIVE_NEVER_STARTED');
    expect(staleUploadFinding(upload({ derivedFrom: 2, deriveLeaseUntil: 0 }), NOW, LIMITS)?.code, 'a released claim whose retry never came').toBe('DERIVE_NEVER_STARTED');
    expect(staleUploadFinding(upload({ derivedFrom: 2, createdAt: hoursAgo(2) }), NOW, LIMITS)).toBeNull();
  });

  it('leaves a version whose file arrived, or whose derive wrote its zip, to the validator', () => {
    expect(staleUploadFinding(upload({ objectETag: '"e"' }), NOW, LIMITS)).toBeNull();
    expect(staleUploadFinding(upload({ derivedFrom: 2, derivedAt: hoursAgo(6.5) }), NOW, LIMITS)).toBeNull();
  });
});

describe('the reconciler and versions stuck uploading', () => {
  const item = (patch: Record<string, unknown>) => ({
    PK: 'OWNER#alice', SK: 'DSV#ds1#000003', type: 'DatasetVersion', owner: 'alice', datasetId: 'ds1', version: 3, status: 'UPLOADING',
    sizeBytes: 1000, fileName: 'set.zip', source: 'web', createdAt: '2025-01-01T00:00:00.000Z', ...patch,
  });
  let uploading: Record<string, unknown>[];
  beforeEach(() => {
    ddb.reset();
    uploading = [];
    ddb.on(ScanCommand).callsFake((input: { ExpressionAttributeValues: Record<string, unknown> }) =>
      ({ Items: input.ExpressionAttributeValues[':uploading'] === 'UPLOADING' && !(':validating' in input.ExpressionAttributeValues) ? uploading : [] }));
    ddb.on(UpdateCommand).resolves({});
  });

  it('writes INVALID with the finding, only if no file arrived and the derive claim is the one it read', async () => {
    uploading = [item({ derivedFrom: 2, deriveLeaseUntil: 1000 })];
    const report = await handler({});
    expect(report.uploadsFailed).toBe(1);
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.Key).toEqual({ PK: 'OWNER#alice', SK: 'DSV#ds1#000003' });
    expect(update.ConditionExpression).toBe('#status = :uploading AND attribute_not_exists(objectETag) AND attribute_not_exists(derivedAt) AND deriveLeaseUntil = :lease');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':invalid': 'INVALID', ':lease': 1000 });
    expect(JSON.stringify(update.ExpressionAttributeValues)).toMatch(/DERIVE_INTERRUPTED.*save the edit again/);
  });

  it('counts nothing when the version moved on before the write, and leaves fresh uploads alone', async () => {
    uploading = [item({}), item({ SK: 'DSV#ds1#000004', version: 4, createdAt: new Date().toISOString() })];
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    const report = await handler({});
    expect(report.uploadsFailed).toBe(0);
    expect(ddb.commandCalls(UpdateCommand), 'only the old upload was tried').toHaveLength(1);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ConditionExpression).toContain('attribute_not_exists(deriveLeaseUntil)');
  });
});
