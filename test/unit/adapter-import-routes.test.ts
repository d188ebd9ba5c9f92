// POST /adapters/imports and GET /adapters/{id}/artifacts/{name}: what they answer and what they refuse, and the
// check of a posted file (S3 mocked) ending its import READY or INVALID, once for duplicate events.
import './handler-env';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkImport } from '#app/check-adapter-import';
import { buildSafetensors } from '#domain/safetensors';
import type { ArtifactLink, CreateAdapterImportResponse, ErrorBody } from '#domain/schemas';
import { handler as createImport } from '#handlers/create-adapter-import';
import { handler as deleteAdapter } from '#handlers/delete-adapter';
import { handler as getAdapterArtifact } from '#handlers/get-adapter-artifact';
import { context, httpEvent, parseBody } from './http-events';

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const sha = (c: string) => c.repeat(64);
const adapterItem = (fields: Record<string, unknown>) => ({
  PK: 'OWNER#alice', SK: 'ADAPTER#01AD', type: 'Adapter', owner: 'alice', id: '01AD', name: 'Faces', source: 'import',
  artifacts: [], createdAt: '2026-12-01T00:00:00.000Z', importFile: { fileName: 'faces.safetensors', sizeBytes: 10 }, ...fields,
});
const withAdapter = (item: Record<string, unknown> | undefined) =>
  ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'ADAPTER#01AD' } }).resolves({ Item: item });
const download = (name: string) => getAdapterArtifact(httpEvent({ path: { adapterId: '01AD', name } }), context);
const post = (body: unknown) => createImport(httpEvent({ body }), context);

beforeEach(() => {
  ddb.reset();
  s3.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
});

describe('POST /adapters/imports', () => {
  it('creates the adapter CHECKING and a presigned POST of exactly that size under imports/', async () => {
    const response = await post({ name: 'Faces', fileName: 'my faces.safetensors', sizeBytes: 1234, triggerPhrase: 'ohwx' });
    expect(response.statusCode).toBe(201);
    const { adapterId, upload } = parseBody<CreateAdapterImportResponse>(response);
    expect(upload.fields.key).toBe(`imports/alice/${adapterId}/my_faces.safetensors`);
    expect(JSON.parse(Buffer.from(upload.fields.Policy!, 'base64').toString()).conditions).toContainEqual(['content-length-range', 1234, 1234]);
    const item = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item).toMatchObject({ source: 'import', status: 'CHECKING', triggerPhrase: 'ohwx', artifacts: [], importFile: { fileName: 'my_faces.safetensors', sizeBytes: 1234 } });
  });

  it('refuses a file that is not .safetensors (422 with the field) and one above the cap (413)', async () => {
    const wrong = await post({ name: 'Faces', fileName: 'faces.ckpt', sizeBytes: 10 });
    expect(wrong.statusCode).toBe(422);
    expect(parseBody<ErrorBody>(wrong).error.details).toContainEqual({ field: 'fileName', message: expect.stringMatching(/ending in \.safetensors/) });
    const huge = await post({ name: 'Faces', fileName: 'faces.safetensors', sizeBytes: 5 * 1024 ** 3 });
    expect(huge.statusCode).toBe(413);
    expect(parseBody<ErrorBody>(huge).error.message).toMatch(/at most 2 GiB.*full model/);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('GET /adapters/{adapterId}/artifacts/{name}', () => {
  it('links each file of a Wan 2.2 job\'s adapter at its job\'s key', async () => {
    withAdapter(adapterItem({
      source: 'job', jobId: '01JOB', importFile: undefined, artifacts: [
        { name: 'lora.safetensors', role: 'lora', sizeBytes: 10, sha256: sha('a') },
        { name: 'high_noise_lora.safetensors', role: 'lora-high-noise', sizeBytes: 20, sha256: sha('b') },
      ],
    }));
    const link = parseBody<ArtifactLink>(await download('high_noise_lora.safetensors'));
    expect(link).toMatchObject({ fileName: 'high_noise_lora.safetensors', sizeBytes: 20, sha256: sha('b') });
    expect(new URL(link.url).pathname).toMatch(/\/loras\/alice\/01JOB\/high_noise_lora\.safetensors$/);
  });

  it('links a READY import at its imports/ key', async () => {
    withAdapter(adapterItem({ status: 'READY', artifacts: [{ name: 'faces.safetensors', role: 'lora', sizeBytes: 10, sha256: sha('c') }] }));
    const link = parseBody<ArtifactLink>(await download('faces.safetensors'));
    expect(new URL(link.url).pathname).toMatch(/\/imports\/alice\/01AD\/faces\.safetensors$/);
  });

  it('refuses an unknown adapter or name (404) and an import CHECKING or INVALID (409)', async () => {
    expect((await download('x.safetensors')).statusCode).toBe(404);
    withAdapter(adapterItem({ status: 'READY', artifacts: [{ name: 'faces.safetensors', role: 'lora', sizeBytes: 10, sha256: sha('c') }] }));
    const unknown = await download('other.safetensors');
    expect(unknown.statusCode).toBe(404);
    expect(parseBody<ErrorBody>(unknown).error.message).toMatch(/its files are faces\.safetensors/);
    withAdapter(adapterItem({ status: 'CHECKING' }));
    expect(parseBody<ErrorBody>(await download('faces.safetensors')).error.code).toBe('ADAPTER_CHECKING');
    withAdapter(adapterItem({ status: 'INVALID', error: { code: 'FULL_CHECKPOINT', message: 'This is a full checkpoint, not a LoRA.' } }));
    const invalid = await download('faces.safetensors');
    expect(invalid.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(invalid).error.message).toMatch(/full checkpoint/);
  });
});

describe('DELETE /adapters/{adapterId}', () => {
  const remove = () => deleteAdapter(httpEvent({ path: { adapterId: '01AD' } }), context);

  it('removes an imported adapter\'s file with it, and leaves a job\'s LoRA with its job', async () => {
    withAdapter(adapterItem({ status: 'READY' }));
    ddb.on(DeleteCommand).resolves({ Attributes: adapterItem({}) });
    expect((await remove()).statusCode).toBe(204);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['imports/alice/01AD/faces.safetensors']);
    s3.resetHistory();
    withAdapter(adapterItem({ source: 'job', jobId: '01JOB', importFile: undefined }));
    expect((await remove()).statusCode).toBe(204);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });
});

describe('the check of a posted file', () => {
  const object = { bucket: 'artifacts-test', key: 'imports/alice/01AD/faces.safetensors' };
  const serve = (file: Uint8Array) => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: file.byteLength });
    s3.on(GetObjectCommand).callsFake((input: { Range?: string }) => {
      const [start, end] = input.Range ? input.Range.replace('bytes=', '').split('-').map(Number) : [0, file.byteLength - 1];
      return { Body: Readable.from([Buffer.from(file.subarray(start, end! + 1))]) as never };
    });
  };
  const finished = () => ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input).filter((u) => u.ConditionExpression === '#st = :checking');

  it('ends a good LoRA READY with its sha256 and the trigger phrase of its metadata', async () => {
    withAdapter(adapterItem({ status: 'CHECKING' }));
    const file = buildSafetensors([
      { name: 'a.lora_down.weight', dtype: 'F16', shape: [2, 8] }, { name: 'a.lora_up.weight', dtype: 'F16', shape: [8, 2] },
    ], { ss_trigger_phrase: 'ohwx face' });
    serve(file);
    expect(await checkImport(object, 60_000)).toBe('READY');
    const values = Object.values(finished()[0]!.ExpressionAttributeValues!);
    const digest = createHash('sha256').update(file).digest('hex');
    expect(values).toContain('READY');
    expect(values).toContain('ohwx face');
    expect(values).toContainEqual([{ name: 'faces.safetensors', role: 'lora', sizeBytes: file.byteLength, sha256: digest }]);
    // Two ranged reads of the header, one whole read to hash it.
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Range)).toEqual(['bytes=0-7', expect.stringMatching(/^bytes=8-\d+$/), undefined]);
  });

  it('ends a file that is not safetensors INVALID with the message, without hashing it', async () => {
    withAdapter(adapterItem({ status: 'CHECKING' }));
    serve(new TextEncoder().encode('<html>not a model</html>'));
    expect(await checkImport(object, 60_000)).toBe('INVALID');
    expect(JSON.stringify(finished()[0]!.ExpressionAttributeValues)).toMatch(/Not a safetensors file: /);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('checks once: a duplicate event finds the check claimed and reads nothing', async () => {
    withAdapter(adapterItem({ status: 'CHECKING' }));
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('claimed'), { name: 'ConditionalCheckFailedException' }));
    expect(await checkImport(object, 60_000)).toBe('already-checked');
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});
