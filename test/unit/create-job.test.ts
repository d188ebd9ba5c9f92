import './handler-env';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ErrorBody, Job } from '#domain/schemas';
import { context, httpEvent, parseBody } from './http-events';
import { datasetItem, jobItem, readyVersion, TRAINER_ID } from './handler-env';

vi.mock('#adapters/trainers', async () => {
  const { fallbackTrainers, findTrainer } = await import('#domain/trainer-catalog');
  return {
    getTrainer: async (id: string) => findTrainer(fallbackTrainers, id),
    listTrainers: async () => ({ source: 'fallback', trainers: fallbackTrainers }),
  };
});

const { handler } = await import('#handlers/create-job');
const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

const request = { trainerId: TRAINER_ID, datasetId: 'ds1', triggerPhrase: 'tok', params: { steps: 500 } };
const post = (body: unknown, headers: Record<string, string> = {}) => handler(httpEvent({ body, headers }), context);

beforeEach(() => {
  ddb.reset();
  sfn.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DS#ds1' } }).resolves({ Item: datasetItem });
  ddb.on(QueryCommand).resolves({ Items: [readyVersion()] });
  ddb.on(PutCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
});

describe('starting a training job', () => {
  it('queues the job on the newest READY version and starts its workflow named after it', async () => {
    const response = await post(request);
    expect(response.statusCode).toBe(201);
    const job = parseBody<Job & { owner?: string }>(response);
    expect(job).toMatchObject({ status: 'QUEUED', trainerId: TRAINER_ID, datasetVersion: 1, params: { steps: 500 }, origin: 'api' });
    expect(job.owner).toBeUndefined();
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(PK)');
    expect(put.Item).toMatchObject({ PK: 'OWNER#alice', SK: `JOB#${job.id}`, GSI1PK: `JOB#${job.id}`, type: 'Job' });
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).toBe(job.id);
    expect(JSON.parse(start.input!)).toEqual({ jobId: job.id, owner: 'alice' });
    // Lineage: the version records the job, once and bounded.
    const lineage = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((u) => String(u.UpdateExpression).includes('jobIds'))!;
    expect(lineage).toMatchObject({ Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' }, ExpressionAttributeValues: expect.objectContaining({ ':job': [job.id], ':id': job.id, ':max': 500 }) });
    expect(lineage.ConditionExpression).toContain('NOT contains(jobIds, :id)');
  });

  it('starts the job even when its version cannot record it (a full jobIds list)', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' }));
    const response = await post(request);
    expect(response.statusCode).toBe(201);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('lists each parameter that does not suit the trainer (422)', async () => {
    const response = await post({ ...request, params: { steps: -5, wings: true } });
    expect(response.statusCode).toBe(422);
    const fields = parseBody<ErrorBody>(response).error.details!.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['params.steps', 'params.wings']));
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('refuses an unknown trainer (422)', async () => {
    const response = await post({ ...request, trainerId: 'nobody/nothing' });
    expect(response.statusCode).toBe(422);
    expect(parseBody<ErrorBody>(response).error.details![0]!.field).toBe('trainerId');
  });

  it('refuses a dataset version still validating (409)', async () => {
    ddb.on(QueryCommand).resolves({ Items: [readyVersion(6, 'VALIDATING')] });
    const response = await post({ ...request, datasetVersion: 1 });
    expect(response.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(response).error.code).toBe('DATASET_NOT_READY');
  });

  it('refuses a dataset too small for the trainer (409)', async () => {
    ddb.on(QueryCommand).resolves({ Items: [readyVersion(2)] });
    const response = await post(request);
    expect(response.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(response).error.message).toMatch(/at least 4 images/);
  });

  it('answers 404 for a dataset of another user', async () => {
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DS#ds1' } }).resolves({});
    expect((await post(request)).statusCode).toBe(404);
  });
});

describe('retrying with an Idempotency-Key', () => {
  it('writes the job and the key together the first time', async () => {
    const response = await post(request, { 'Idempotency-Key': 'k1' });
    expect(response.statusCode).toBe(201);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Put!.Item).toMatchObject({ SK: 'IDEMP#k1', jobId: parseBody<Job>(response).id });
    expect(items[1]!.Put!.Item).toMatchObject({ type: 'Job' });
  });

  it('returns the same job for the same key and body', async () => {
    const first = await post(request, { 'Idempotency-Key': 'k1' });
    const stored = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!.Item!;
    const job = parseBody<Job>(first);
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'IDEMP#k1' } }).resolves({ Item: stored });
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: `JOB#${job.id}` } }).resolves({ Item: jobItem({ id: job.id, params: { steps: 500 } }) });

    const again = await post(request, { 'Idempotency-Key': 'k1' });
    expect(again.statusCode).toBe(201);
    expect(parseBody<Job>(again).id).toBe(job.id);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('refuses the same key with a different body (409)', async () => {
    await post(request, { 'Idempotency-Key': 'k1' });
    const stored = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!.Item!;
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'IDEMP#k1' } }).resolves({ Item: stored });

    const response = await post({ ...request, params: { steps: 900 } }, { 'Idempotency-Key': 'k1' });
    expect(response.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(response).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('the trigger phrase', () => {
  const { triggerPhrase: _, ...withoutTrigger } = request;
  const zImage = { ...withoutTrigger, trainerId: 'fal-ai/z-image-trainer' };
  const refusal = async (body: unknown) => {
    const response = await post(body);
    expect(response.statusCode).toBe(422);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    return parseBody<ErrorBody>(response).error.details as { field: string; message: string }[];
  };

  it('is not asked of a trainer that takes none, and the job records none', async () => {
    ddb.on(QueryCommand).resolves({ Items: [readyVersion(12)] });
    const response = await post(zImage);
    expect(response.statusCode).toBe(201);
    expect(parseBody(response)).toMatchObject({ trainerId: 'fal-ai/z-image-trainer', triggerPhrase: '' });
  });

  it('is refused when sent to a trainer that takes none (422), so nobody expects it to call up the LoRA', async () => {
    expect(await refusal({ ...zImage, triggerPhrase: 'ohwx' })).toEqual([
      { field: 'triggerPhrase', message: expect.stringMatching(/^Z-Image LoRA takes no trigger phrase/) },
    ]);
  });

  it('is required by a trainer that takes one, and listed with the parameters\' problems (422)', async () => {
    const details = await refusal({ ...withoutTrigger, params: { steps: -5 } });
    expect(details.map((detail) => detail.field)).toEqual(['triggerPhrase', 'params.steps']);
    expect((await refusal({ ...request, triggerPhrase: 'x'.repeat(101) }))[0]!.message).toMatch(/100 characters or fewer/);
  });
});
