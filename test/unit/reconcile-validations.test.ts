import './handler-env';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readyVersion } from './handler-env';

const { handler } = await import('#handlers/reconcile');
const ddb = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  ddb.reset();
  ddb.on(ScanCommand).callsFake((input: { ExpressionAttributeValues: Record<string, unknown> }) =>
    input.ExpressionAttributeValues[':validating'] === 'VALIDATING'
      ? { Items: [{ ...readyVersion(6, 'VALIDATING'), leaseUntil: Date.now() - 3_600_000 }] }
      : { Items: [] });
  ddb.on(UpdateCommand).resolves({});
});

describe('the reconciler and uploads whose check never finished', () => {
  it('ends a version left VALIDATING by a dead validator as INVALID, saying to upload again', async () => {
    const report = await handler({ validationGraceSeconds: 1800 });
    expect(report.validationsFailed).toBe(1);
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.Key).toEqual({ PK: 'OWNER#alice', SK: 'DSV#ds1#000001' });
    expect(update.ConditionExpression).toContain('leaseUntil < :before');
    const values = Object.values(update.ExpressionAttributeValues ?? {});
    expect(values).toContain('INVALID');
    expect(JSON.stringify(values)).toMatch(/VALIDATION_INTERRUPTED.*Upload the archive again/);
  });

  it('leaves versions alone when none is stuck', async () => {
    ddb.on(ScanCommand).resolves({ Items: [] });
    const report = await handler({});
    expect(report.validationsFailed).toBe(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
