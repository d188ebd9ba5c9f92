// POST /jobs/estimate: the same checks as POST /jobs (422, 404, 409) and then an estimate; nothing is written, no
// workflow starts. POST /jobs records the same estimate on the job it creates.
import './handler-env';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ErrorBody, Job, JobEstimate } from '#domain/schemas';
import { context, httpEvent, parseBody } from './http-events';
import { datasetItem, readyVersion, TRAINER_ID } from './handler-env';

vi.mock('#adapters/trainers', async () => {
  const { fallbackTrainers, findTrainer } = await import('#domain/trainer-catalog');
  return {
    getTrainer: async (id: string) => findTrainer(fallbackTrainers, id),
    listTrainers: async () => ({ source: 'fallback', trainers: fallbackTrainers }),
  };
});

const { handler: estimate } = await import('#handlers/estimate-job');
const { handler: create } = await import('#handlers/create-job');
const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

const request = { trainerId: TRAINER_ID, datasetId: 'ds1', triggerPhrase: 'tok', params: { steps: 1500 } };
const post = (body: unknown) => estimate(httpEvent({ body, routeKey: 'POST /jobs/estimate' }), context);

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

describe('POST /jobs/estimate', () => {
  it('answers the cost, the time and the basis of the job the body describes, writing nothing', async () => {
    const response = await post(request);
    expect(response.statusCode).toBe(200);
    expect(parseBody<JobEstimate>(response)).toEqual({
      costUsd: 3, durationSeconds: 60 + 0.45 * 1500,
      basis: expect.stringMatching(/^Estimate: fal's \$2\.00 per 1,000 steps × 1,500 steps; the time assumes/),
    });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('fills in the trainer\'s default steps, as POST /jobs does', async () => {
    const response = await post({ ...request, params: {} });
    expect(parseBody<JobEstimate>(response)).toMatchObject({ costUsd: 2, basis: expect.stringContaining('× 1,000 steps;') });
  });

  it('refuses what POST /jobs refuses: bad parameters (422), another user\'s dataset (404), a version not READY (409)', async () => {
    const invalid = await post({ ...request, params: { steps: -5 } });
    expect(invalid.statusCode).toBe(422);
    expect(parseBody<ErrorBody>(invalid).error.details!.map((d) => d.field)).toContain('params.steps');
    expect((await post({ ...request, trainerId: 'nobody/nothing' })).statusCode).toBe(422);

    ddb.on(QueryCommand).resolves({ Items: [readyVersion(6, 'VALIDATING')] });
    const notReady = await post(request);
    expect(notReady.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(notReady).error.code).toBe('DATASET_NOT_READY');

    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DS#ds1' } }).resolves({});
    expect((await post(request)).statusCode).toBe(404);
  });
});

describe('POST /jobs', () => {
  it('records the estimate on the job it starts', async () => {
    const response = await create(httpEvent({ body: request }), context);
    expect(response.statusCode).toBe(201);
    const job = parseBody<Job>(response);
    expect(job.estimate).toEqual(parseBody<JobEstimate>(await post(request)));
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({ estimate: { costUsd: 3 } });
  });
});
