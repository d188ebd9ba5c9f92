// Requests a hostile client sends: each is the client's 422, naming the field and the rule, before any table or
// bucket sees it (a name with "/" or a 2,000-character key used to reach S3 or DynamoDB and fail there).
import './handler-env';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ErrorBody } from '#domain/schemas';
import type { HttpEvent, HttpResult } from '#http/http-route';
import { openApiDocument } from '#http/openapi';
import { context, httpEvent, parseBody } from './http-events';
import { TRAINER_ID } from './handler-env';

vi.mock('#adapters/trainers', async () => {
  const { fallbackTrainers, findTrainer } = await import('#domain/trainer-catalog');
  return {
    getTrainer: async (id: string) => findTrainer(fallbackTrainers, id),
    listTrainers: async () => ({ source: 'fallback', trainers: fallbackTrainers }),
  };
});

type Handler = (event: HttpEvent, context: unknown) => Promise<HttpResult>;
const handlers = {
  createUpload: (await import('#handlers/create-upload')).handler as Handler,
  createDataset: (await import('#handlers/create-dataset')).handler as Handler,
  createJob: (await import('#handlers/create-job')).handler as Handler,
  createAdapter: (await import('#handlers/create-adapter')).handler as Handler,
  getDataset: (await import('#handlers/get-dataset')).handler as Handler,
  getJob: (await import('#handlers/get-job')).handler as Handler,
  listJobs: (await import('#handlers/list-jobs')).handler as Handler,
};

const ddb = mockClient(DynamoDBDocumentClient);
beforeEach(() => {
  ddb.reset();
  ddb.onAnyCommand().rejects(new Error('the request reached the table'));
});

const refusal = (response: HttpResult) => {
  expect(response.statusCode, response.body).toBe(422);
  expect(ddb.calls()).toHaveLength(0);
  return parseBody<ErrorBody>(response).error;
};
const detailFor = (response: HttpResult, field: string) => {
  const detail = refusal(response).details?.find((d) => d.field === field);
  expect(detail, `no detail for ${field}: ${response.body}`).toBeDefined();
  return detail!.message;
};

const NUL = 'evil\u0000name';
const ESC = 'evil\u001b[2Jname';
const RLO = 'evil\u202Egnp.name';
const LONE = 'evil\ud800name';
const HOSTILE_TEXT = [['NUL', NUL], ['an ESC sequence', ESC], ['U+202E', RLO], ['a lone surrogate', LONE], ['a line break', 'two\nlines'], ['U+2066', 'a\u2066b']] as const;

describe('an upload’s file name', () => {
  const upload = (fileName: string) =>
    handlers.createUpload(httpEvent({ path: { datasetId: 'ds1' }, body: { fileName, sizeBytes: 1000 } }), context);

  it.each(['a/b.zip', '../../x.zip', 'dir\\x.zip', '..zip', 'a..b.zip', 'x\r\n.zip', 'x\u0000.zip', 'x\u001b.zip', 'x\u202E.zip', 'x\ud800.zip', 'set.tar', 'x'.repeat(252) + '.zip'])(
    'refuses %j with the rule (422)', async (fileName) => {
      const message = detailFor(await upload(fileName), 'fileName');
      expect(message).toMatch(/must (be a plain file name ending in \.zip|not contain)/);
    });

  it('says the whole rule when a folder is named', async () => {
    expect(detailFor(await upload('folder/set.zip'), 'fileName')).toBe(
      'The file name must be a plain file name ending in .zip (for example "my-set.zip"): no folders ("/" or "\\"), no "..", no control characters, 255 characters at most.');
  });

  it('is published as a pattern without flags that JSON Schema validators run as written', () => {
    const document = openApiDocument() as unknown as { paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { properties: Record<string, { pattern?: string }> } }> } }>> };
    const pattern = document.paths['/datasets/{datasetId}/uploads']!.post!.requestBody.content['application/json']!.schema.properties.fileName!.pattern!;
    const regex = new RegExp(pattern);
    for (const name of ['set.zip', 'My Set (2).ZIP', 'a+b.zip', 'café #1 100%.zip']) expect(regex.test(name), name).toBe(true);
    for (const name of ['a/b.zip', 'a\\b.zip', 'set.tar', 'x\n.zip']) expect(regex.test(name), name).toBe(false);
  });
});

describe('names, trigger phrases and free-text parameters', () => {
  it.each(HOSTILE_TEXT)('a dataset name with %s is refused (422)', async (_, name) => {
    const message = detailFor(await handlers.createDataset(httpEvent({ body: { name } }), context), 'name');
    expect(message).toMatch(/^The dataset name must not contain/);
  });

  it.each(HOSTILE_TEXT)('a LoRA name with %s is refused (422)', async (_, name) => {
    const message = detailFor(await handlers.createAdapter(httpEvent({ body: { jobId: '01JOB', name } }), context), 'name');
    expect(message).toMatch(/^The LoRA name must not contain/);
  });

  it.each(HOSTILE_TEXT)('a trigger phrase with %s is refused (422)', async (_, triggerPhrase) => {
    const response = await handlers.createJob(httpEvent({ body: { trainerId: TRAINER_ID, datasetId: 'ds1', triggerPhrase } }), context);
    expect(detailFor(response, 'triggerPhrase')).toMatch(/^The trigger phrase must not contain/);
  });

  it.each(HOSTILE_TEXT)('a free-text parameter with %s is refused (422)', async (_, defaultCaption) => {
    const response = await handlers.createJob(httpEvent({ body: { trainerId: 'fal-ai/flux-kontext-trainer', datasetId: 'ds1', params: { defaultCaption } } }), context);
    expect(detailFor(response, 'params.defaultCaption')).toMatch(/^Default caption must not contain/);
  });
});

describe('ids and keys too long for DynamoDB', () => {
  const long = 'a'.repeat(2_000);

  it('an Idempotency-Key past 255 characters is refused (422), naming the header', async () => {
    const response = await handlers.createJob(httpEvent({ body: { trainerId: TRAINER_ID, datasetId: 'ds1', triggerPhrase: 'tok' }, headers: { 'idempotency-key': long } }), context);
    expect(detailFor(response, 'headers.idempotency-key')).toMatch(/at most 255 characters/);
  });

  it('a datasetId past 80 characters in a job request is refused (422)', async () => {
    const response = await handlers.createJob(httpEvent({ body: { trainerId: TRAINER_ID, datasetId: long, triggerPhrase: 'tok' } }), context);
    expect(detailFor(response, 'datasetId')).toMatch(/1–80 letters, digits/);
  });

  it('a jobId past 64 characters in a registration is refused (422)', async () => {
    const response = await handlers.createAdapter(httpEvent({ body: { jobId: long, name: 'Mine' } }), context);
    expect(detailFor(response, 'jobId')).toMatch(/at most 64 characters/);
  });

  it('a path id past its bound is refused (422)', async () => {
    expect(detailFor(await handlers.getDataset(httpEvent({ path: { datasetId: long } }), context), 'path.datasetId')).toMatch(/1–80/);
    expect(detailFor(await handlers.getJob(httpEvent({ path: { jobId: long } }), context), 'path.jobId')).toMatch(/at most 64/);
  });

  it('the dataset path takes every id a direct upload can create (80 characters)', async () => {
    ddb.reset();
    ddb.onAnyCommand().resolves({});
    const id = `A${'b'.repeat(78)}z`;
    const response = await handlers.getDataset(httpEvent({ path: { datasetId: id } }), context);
    expect(response.statusCode).toBe(404);
  });
});

describe('a job-list cursor', () => {
  const cursor = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
  const list = (value: string) => handlers.listJobs(httpEvent({ query: { cursor: value } }), context);

  it.each([
    ['an SK that is a number', { PK: 'OWNER#alice', SK: 5 }],
    ['no SK', { PK: 'OWNER#alice' }],
    ['an index attribute', { PK: 'OWNER#alice', SK: 'JOB#01JOB', GSI1PK: 'JOB#01JOB' }],
    ['another owner’s partition', { PK: 'OWNER#bob', SK: 'JOB#01JOB' }],
    ['an SK that is not a job', { PK: 'OWNER#alice', SK: 'DS#ds1' }],
    ['an SK past DynamoDB’s 1,024 bytes', { PK: 'OWNER#alice', SK: `JOB#${'x'.repeat(1_100)}` }],
  ])('with %s is BAD_CURSOR (422)', async (_, key) => {
    expect(refusal(await list(cursor(key)))).toMatchObject({ code: 'BAD_CURSOR', details: [{ field: 'cursor' }] });
  });

  it('one this API issued is used as given', async () => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    const response = await list(cursor({ PK: 'OWNER#alice', SK: 'JOB#01JOB' }));
    expect(response.statusCode).toBe(200);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExclusiveStartKey).toEqual({ PK: 'OWNER#alice', SK: 'JOB#01JOB' });
  });
});
