import './handler-env';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as cancelJob } from '#handlers/cancel-job';
import { handler as getJob } from '#handlers/get-job';
import { handler as getJobArtifact } from '#handlers/get-job-artifact';
import { handler as getJobLogs } from '#handlers/get-job-logs';
import { jobItem } from './handler-env';
import type { ArtifactLink, ErrorBody, Job, JobLogs } from '#domain/schemas';
import { context, httpEvent, parseBody } from './http-events';

const ddb = mockClient(DynamoDBDocumentClient);
const remote = { provider: 'fal', endpoint: 'fal-ai/flux-lora-fast-training', requestId: 'r1' };
const withJob = (item: Record<string, unknown> | undefined) =>
  ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'JOB#01JOB' } }).resolves({ Item: item });
const cancel = (owner = 'alice') => cancelJob(httpEvent({ owner, path: { jobId: '01JOB' } }), context);

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  // The update answers with the record as written, as ReturnValues ALL_NEW does.
  ddb.on(UpdateCommand).callsFake((input: { ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> }) => {
    const status = Object.entries(input.ExpressionAttributeNames).find(([, v]) => v === 'status' )?.[0];
    const valueKey = status ? `:v${status.slice(2)}` : undefined;
    return { Attributes: jobItem({ remote, status: valueKey ? input.ExpressionAttributeValues[valueKey] : 'CANCELLING' }) };
  });
});

describe('cancelling a job over the API', () => {
  it('asks the workflow to stop a job the trainer has (202 CANCELLING)', async () => {
    withJob(jobItem({ status: 'RUNNING', remote }));
    const response = await cancel();
    expect(response.statusCode).toBe(202);
    expect(parseBody<Job>(response).status).toBe('CANCELLING');
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    // Conditional on the record it saw (its status and last change), on no submit having started since it read
    // the job, and on not lowering the progress.
    expect(update.ConditionExpression).toBe(
      '#current = :current AND #seenAt = :seenAt AND attribute_not_exists(#submitting) AND (attribute_not_exists(progress.fraction) OR progress.fraction <= :fraction)',
    );
    expect(update.ExpressionAttributeValues![':current']).toBe('RUNNING');
    expect(update.ExpressionAttributeValues![':seenAt']).toBe(jobItem().updatedAt);
  });

  it('cancels at once a job that never reached the trainer (202 CANCELLED)', async () => {
    withJob(jobItem({ status: 'QUEUED' }));
    const response = await cancel();
    expect(response.statusCode).toBe(202);
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(Object.values(update.ExpressionAttributeValues!)).toContain('CANCELLED');
  });

  it('refuses to cancel a finished job (409)', async () => {
    withJob(jobItem({ status: 'COMPLETED' }));
    const response = await cancel();
    expect(response.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(response).error.code).toBe('JOB_FINISHED');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('reports a lost race with the workflow as a conflict', async () => {
    withJob(jobItem({ status: 'RUNNING', remote }));
    const failed = Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' });
    ddb.on(UpdateCommand).rejects(failed);
    expect((await cancel()).statusCode).toBe(409);
  });
});

describe('reading a job', () => {
  it('shows the owner their job without internal fields', async () => {
    withJob(jobItem({ remote }));
    const response = await getJob(httpEvent({ path: { jobId: '01JOB' } }), context);
    expect(response.statusCode).toBe(200);
    const job = parseBody<Job>(response);
    expect(job.id).toBe('01JOB');
    for (const hidden of ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'owner', 'remote', 'type']) expect(job).not.toHaveProperty(hidden);
  });

  it("answers 404 for another user's job, never 403", async () => {
    withJob(jobItem());
    const response = await getJob(httpEvent({ owner: 'mallory', path: { jobId: '01JOB' } }), context);
    expect(response.statusCode).toBe(404);
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input.Key).toEqual({ PK: 'OWNER#mallory', SK: 'JOB#01JOB' });
  });
});

describe('downloading one of a job\'s files', () => {
  const sha = (c: string) => c.repeat(64);
  const completed = jobItem({
    status: 'COMPLETED', remote, artifact: { fileName: 'lora.safetensors', sizeBytes: 100, sha256: sha('a') },
    artifacts: [
      { name: 'lora.safetensors', role: 'lora', sizeBytes: 100, sha256: sha('a'), contentType: 'application/octet-stream' },
      { name: 'high_noise_lora.safetensors', role: 'lora-high-noise', sizeBytes: 90, sha256: sha('b'), contentType: 'application/octet-stream' },
      { name: 'config.json', role: 'config', sizeBytes: 12, sha256: sha('c'), contentType: 'application/json' },
    ],
  });
  const download = (name: string, owner = 'alice') => getJobArtifact(httpEvent({ owner, path: { jobId: '01JOB', name } }), context);

  it('answers a presigned link to the named file, with its size and sha256', async () => {
    withJob(completed);
    const response = await download('high_noise_lora.safetensors');
    expect(response.statusCode).toBe(200);
    const link = parseBody<ArtifactLink>(response);
    expect(link).toMatchObject({ fileName: 'high_noise_lora.safetensors', sizeBytes: 90, sha256: sha('b') });
    expect(new URL(link.url).pathname).toMatch(/\/loras\/alice\/01JOB\/high_noise_lora\.safetensors$/);
    expect(parseBody<ArtifactLink>(await download('config.json'))).toMatchObject({ fileName: 'config.json', sizeBytes: 12 });
  });

  it('serves the LoRA of a job completed before every file was kept', async () => {
    const { artifacts: _artifacts, ...older } = completed as typeof completed & { artifacts?: unknown };
    withJob(older);
    expect(parseBody<ArtifactLink>(await download('lora.safetensors'))).toMatchObject({ fileName: 'lora.safetensors', sha256: sha('a') });
  });

  it('answers 404 naming the files the job has, for a name it does not have', async () => {
    withJob(completed);
    const response = await download('samples.zip');
    expect(response.statusCode).toBe(404);
    expect(parseBody<ErrorBody>(response).error).toMatchObject({ code: 'ARTIFACT_NOT_FOUND', message: expect.stringContaining('lora.safetensors, high_noise_lora.safetensors, config.json') });
  });

  it('answers 409 while the job has not completed', async () => {
    withJob(jobItem({ status: 'RUNNING', remote }));
    const response = await download('lora.safetensors');
    expect(response.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(response).error.code).toBe('JOB_NOT_COMPLETED');
  });

  it('refuses a name that is not a stored file name, saying what one looks like', async () => {
    withJob(completed);
    for (const name of ['..', 'a b.json', 'x'.repeat(201)]) {
      const response = await download(name);
      expect(response.statusCode, name).toBe(422);
      expect(parseBody<ErrorBody>(response).error.details?.[0], name).toMatchObject({ field: 'path.name', message: expect.stringContaining('letters, digits') });
    }
  });

  it("answers 404 for another user's job", async () => {
    withJob(completed);
    expect((await download('config.json', 'mallory')).statusCode).toBe(404);
  });
});

describe('a job\'s trainer log lines over the API', () => {
  const logs = (owner = 'alice') => getJobLogs(httpEvent({ owner, path: { jobId: '01JOB' } }), context);
  it('answers the stored tail, oldest first, and an empty list before the trainer gave any', async () => {
    withJob(jobItem({ status: 'RUNNING', remote }));
    expect(parseBody<JobLogs>(await logs())).toEqual({ lines: [] });
    const lines = [{ at: '2026-01-01T00:00:01.000Z', message: 'step 1' }, { at: '2026-01-01T00:00:02.000Z', message: 'step 2' }];
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'JOBLOG#01JOB' } }).resolves({ Item: { PK: 'OWNER#alice', SK: 'JOBLOG#01JOB', lines, truncated: true } });
    const response = await logs();
    expect(response.statusCode).toBe(200);
    expect(parseBody<JobLogs>(response)).toEqual({ lines, truncated: true });
  });

  it("answers 404 for another user's job", async () => {
    withJob(jobItem({ status: 'RUNNING', remote }));
    const response = await logs('mallory');
    expect(response.statusCode).toBe(404);
    expect(parseBody<ErrorBody>(response).error.code).toBe('JOB_NOT_FOUND');
  });
});
