import './handler-env';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildSafetensors, parseSafetensorsHeader } from '#domain/safetensors';
import { jobItem } from './handler-env';
import { provider } from './scripted-trainers';

vi.mock('#adapters/trainers', () => import('./scripted-trainers'));

const { handler: submit } = await import('#handlers/training-submit');
const { handler: poll } = await import('#handlers/training-poll');
const { handler: collect } = await import('#handlers/training-collect');
const { handler: cancelRemote } = await import('#handlers/training-cancel-remote');
const { handler: markFailed } = await import('#handlers/training-mark-failed');

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const remote = { provider: 'fal', endpoint: 'fal-ai/flux-lora-fast-training', requestId: 'r1' };
const state = { jobId: '01JOB', owner: 'alice', phase: 'queued', polls: 3, waitSeconds: 5 };
// A job created a minute ago: well inside the training deadline unless a test says otherwise.
const withJob = (patch: Record<string, unknown>) => ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'JOB#01JOB' } })
  .resolves({ Item: jobItem({ createdAt: new Date(Date.now() - 60_000).toISOString(), ...patch }) });
const writtenStatus = () => ddb.commandCalls(UpdateCommand).flatMap(({ args: [{ input }] }) => {
  const name = Object.entries(input.ExpressionAttributeNames ?? {}).find(([k, v]) => k.startsWith('#f') && v === 'status')?.[0];
  return name ? [input.ExpressionAttributeValues![`:v${name.slice(2)}`]] : [];
});

/** Every object the artifacts bucket received, by key, read once the task has run. */
function storedUploads(): Map<string, { bytes: Buffer; contentType?: string }> {
  const stored = new Map<string, { bytes: Buffer; contentType?: string }>();
  s3.on(PutObjectCommand).callsFake(async (input: { Key: string; ContentType?: string; Body: AsyncIterable<Buffer> | Buffer }) => {
    let bytes = Buffer.alloc(0);
    if (Buffer.isBuffer(input.Body) || input.Body instanceof Uint8Array) bytes = Buffer.from(input.Body);
    else for await (const chunk of input.Body) bytes = Buffer.concat([bytes, chunk]);
    stored.set(input.Key, { bytes, ...(input.ContentType ? { contentType: input.ContentType } : {}) });
    return {};
  });
  s3.on(DeleteObjectCommand).callsFake(async (input: { Key: string }) => { stored.delete(input.Key); return {}; });
  return stored;
}

/** A fetch answering each URL with its bytes, and 404 for any other. */
const serving = (files: Record<string, Buffer | string>) => vi.fn(async (url: string | URL) => {
  const body = files[String(url)];
  return body === undefined ? new Response('gone', { status: 404 }) : new Response(typeof body === 'string' ? body : new Uint8Array(body));
});

/** What the artifacts bucket received, read once the task has run. */
function storedUpload(): { bytes: () => Buffer } {
  let uploaded = Buffer.alloc(0);
  s3.on(PutObjectCommand).callsFake(async (input: { Body: AsyncIterable<Buffer> | Buffer }) => {
    if (Buffer.isBuffer(input.Body) || input.Body instanceof Uint8Array) uploaded = Buffer.from(input.Body);
    else for await (const chunk of input.Body) uploaded = Buffer.concat([uploaded, chunk]);
    return {};
  });
  return { bytes: () => uploaded };
}

beforeEach(() => {
  ddb.reset();
  s3.reset();
  Object.values(provider).forEach((fn) => fn.mockReset());
  ddb.on(GetCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
});
afterEach(() => vi.unstubAllGlobals());

describe('the training workflow tasks', () => {
  it('submit resumes a job already at the trainer without submitting again', async () => {
    withJob({ status: 'RUNNING', remote });
    const next = await submit({ jobId: '01JOB', owner: 'alice' });
    expect(next).toMatchObject({ phase: 'running', polls: 0 });
    expect(provider.submit).not.toHaveBeenCalled();
  });

  it('submit ends a job cancelled before it reached the trainer', async () => {
    withJob({ status: 'CANCELLING' });
    expect((await submit({ jobId: '01JOB', owner: 'alice' })).phase).toBe('done');
    expect(writtenStatus()).toEqual(['CANCELLED']);
  });

  const validated = { version: 1, status: 'READY', fileName: 'set.zip', objectETag: 'e-upload', validatedKey: 'validated/alice/ds1/v1/set.zip', validatedETag: 'e-copy' };

  it('submit hands the validated copy of the dataset to the trainer and records where it runs', async () => {
    withJob({ status: 'QUEUED' });
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: validated });
    s3.on(HeadObjectCommand, { Key: 'validated/alice/ds1/v1/set.zip' }).resolves({ ETag: '"e-copy"' });
    ddb.on(UpdateCommand).resolves({ Attributes: jobItem({ remote }) });
    provider.submit.mockResolvedValue(remote);
    expect((await submit({ jobId: '01JOB', owner: 'alice' })).phase).toBe('queued');
    expect(new URL(provider.submit.mock.calls[0]![0].datasetUrl).pathname).toMatch(/\/validated\/alice\/ds1\/v1\/set\.zip$/);
    // First the note that a submit starts (a cancel from then on goes through the trainer), then the remote job.
    const updates = ddb.commandCalls(UpdateCommand).map(({ args: [{ input }] }) => input);
    expect(updates[0]!.UpdateExpression).toBe('SET submittingAt = :at');
    expect(updates[1]!.ExpressionAttributeValues![':remote']).toEqual(remote);
  });

  it.each([
    { what: 'the validated copy is not the one validated', item: validated, at: 'validated/alice/ds1/v1/set.zip', eTag: '"e-other"' },
    { what: 'a version validated before copies: its upload key holds other bytes', item: { ...validated, validatedKey: undefined, validatedETag: undefined }, at: 'datasets/alice/ds1/v1/set.zip', eTag: '"e-reposted"' },
  ])('submit refuses to hand the trainer a dataset when $what', async ({ item, at, eTag }) => {
    withJob({ status: 'QUEUED' });
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: item });
    s3.on(HeadObjectCommand, { Key: at }).resolves({ ETag: eTag });
    await expect(submit({ jobId: '01JOB', owner: 'alice' })).rejects.toMatchObject({ name: 'TrainerRejected', code: 'DATASET_CHANGED', message: expect.stringMatching(/Upload the zip again/) });
    expect(provider.submit).not.toHaveBeenCalled();
  });

  it('submit calls no trainer when the job was cancelled just before', async () => {
    withJob({ status: 'QUEUED' });
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: validated });
    s3.on(HeadObjectCommand).resolves({ ETag: '"e-copy"' });
    const failed = Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    ddb.on(UpdateCommand).rejects(failed);
    expect((await submit({ jobId: '01JOB', owner: 'alice' })).phase).toBe('done');
    expect(provider.submit).not.toHaveBeenCalled();
  });

  it('poll routes a cancel request to CancelRemote', async () => {
    withJob({ status: 'CANCELLING', remote });
    expect((await poll(state)).phase).toBe('cancel');
    expect(provider.status).not.toHaveBeenCalled();
  });

  it('poll starts the job and waits less while queued than mid-run', async () => {
    withJob({ status: 'QUEUED', remote });
    provider.status.mockResolvedValue({ state: 'running', progress: { fraction: 0.4, step: 400, totalSteps: 1000, etaSeconds: 400 } });
    const next = await poll(state);
    // Half the ETA, bounded by POLL_MAX_SECONDS (the default 120).
    expect(next).toMatchObject({ phase: 'running', polls: 4, waitSeconds: 120 });
    expect(writtenStatus()).toEqual(['RUNNING']);
  });

  it('poll fails a job past its deadline, so MarkFailed cancels it at the trainer', async () => {
    withJob({ status: 'RUNNING', remote, createdAt: new Date(Date.now() - 13 * 3600_000).toISOString() });
    expect(await poll(state)).toMatchObject({ phase: 'failed', error: { Error: 'TrainingTimedOut', Cause: 'The training did not finish within 12 hours.' } });
    expect(provider.status).not.toHaveBeenCalled();
  });

  it('poll fails a job whose poll budget is spent', async () => {
    withJob({ status: 'RUNNING', remote });
    expect(await poll({ ...state, polls: 2000 })).toMatchObject({ phase: 'failed', error: { Error: 'PollBudgetExceeded' } });
  });

  it('poll fails a job the trainer forgot (404) without retrying', async () => {
    withJob({ status: 'RUNNING', remote });
    const { TrainerRejected } = await import('#providers/provider');
    provider.status.mockRejectedValue(new TrainerRejected('fal refused to report the training status: Request r1 not found.', 'TRAINER_NOT_FOUND'));
    expect(await poll(state)).toMatchObject({ phase: 'failed', error: { Error: 'TrainerLostJob' } });
  });

  it('poll passes a trainer failure on with its message', async () => {
    withJob({ status: 'RUNNING', remote });
    provider.status.mockResolvedValue({ state: 'failed', progress: { fraction: 0.4 }, error: { code: 'X', message: 'out of memory' } });
    expect(await poll(state)).toMatchObject({ phase: 'failed', error: { Error: 'TrainerFailed', Cause: 'out of memory' } });
  });

  it('collect streams the LoRA into the artifacts bucket and completes the job with its sha256', async () => {
    withJob({ status: 'CANCELLING', remote });
    const lora = Buffer.from(buildSafetensors([{ name: 'w', dtype: 'F32', shape: [4, 4] }], { format: 'pt' }));
    provider.result.mockResolvedValue({ loraUrl: 'https://trainer.test/lora', fileName: 'my lora.safetensors' });
    vi.stubGlobal('fetch', vi.fn(async () => new Response(lora)));
    const upload = storedUpload();

    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: { version: 1, status: 'READY', sha256: 'd'.repeat(64) } });
    expect((await collect(state)).phase).toBe('done');
    const uploaded = upload.bytes();
    // The stored file is the trainer's with the training facts in its metadata; the tensors are untouched.
    const stored = parseSafetensorsHeader(uploaded);
    expect(stored.metadata).toMatchObject({
      format: 'pt', 'loraworks.job_id': '01JOB', 'loraworks.trainer': 'fal-ai/flux-lora-fast-training', 'modelspec.trigger_phrase': 'tok',
      'loraworks.steps': '1000', 'loraworks.dataset_id': 'ds1', 'loraworks.dataset_version': '1', 'loraworks.dataset_sha256': 'd'.repeat(64),
    });
    expect(stored.dataStart % 8).toBe(0);
    const original = parseSafetensorsHeader(lora);
    expect(uploaded.subarray(stored.dataStart).equals(lora.subarray(original.dataStart))).toBe(true);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'artifacts-test', Key: 'loras/alice/01JOB/my_lora.safetensors' });
    const values = ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues!;
    expect(Object.values(values)).toContainEqual({ fileName: 'my_lora.safetensors', sizeBytes: uploaded.length, sha256: createHash('sha256').update(uploaded).digest('hex') });
    expect(Object.values(values)).toContain(true); // completedBeforeCancel
  });

  it('collect recomputes the job\'s estimate for the steps it ran', async () => {
    withJob({ status: 'RUNNING', remote, progress: { fraction: 0.6, step: 600, totalSteps: 1000 }, estimate: { costUsd: 2, durationSeconds: 510, basis: 'at start' } });
    provider.result.mockResolvedValue({ loraUrl: 'https://trainer.test/lora', fileName: 'lora.safetensors' });
    vi.stubGlobal('fetch', vi.fn(async () => new Response(Buffer.from(buildSafetensors([{ name: 'w', dtype: 'F32', shape: [2] }], {})))));
    storedUpload();
    expect((await collect(state)).phase).toBe('done');
    const values = ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues!;
    expect(Object.values(values)).toContainEqual({ costUsd: 1.2, durationSeconds: 60 + 0.45 * 600, basis: expect.stringContaining("fal's $2.00 per 1,000 steps × the 600 steps it ran") });
  });

  it('collect registers the LoRA of a schedule’s job with autoRegister, and a failed registration never fails the job', async () => {
    withJob({ status: 'RUNNING', remote, origin: 'schedule', scheduleId: 'S1', registerAs: 'weekly · Faces v1' });
    const lora = Buffer.from(buildSafetensors([{ name: 'w', dtype: 'F32', shape: [4, 4] }], { format: 'pt' }));
    provider.result.mockResolvedValue({ loraUrl: 'https://trainer.test/lora', fileName: 'lora.safetensors' });
    vi.stubGlobal('fetch', vi.fn(async () => new Response(lora)));
    storedUpload();
    ddb.on(TransactWriteCommand).resolves({});
    expect((await collect(state)).phase).toBe('done');
    const puts = ddb.commandCalls(TransactWriteCommand).flatMap(({ args: [{ input }] }) => input.TransactItems!.map((item) => item.Put?.Item));
    expect(puts).toContainEqual(expect.objectContaining({ type: 'Adapter', name: 'weekly · Faces v1', source: 'schedule', jobId: '01JOB', artifact: expect.objectContaining({ fileName: 'lora.safetensors' }) }));

    ddb.on(TransactWriteCommand).rejects(new Error('throttled'));
    vi.stubGlobal('fetch', vi.fn(async () => new Response(lora)));
    expect((await collect(state)).phase).toBe('done');
    expect(writtenStatus()).toEqual(['COMPLETED', 'COMPLETED']);
  });

  it('collect stores every file of a Wan 2.2 result with its role, size and sha256, and leaves out a sample it cannot fetch', async () => {
    withJob({ status: 'RUNNING', remote: { ...remote, endpoint: 'fal-ai/wan-22-image-trainer' }, trainerId: 'fal-ai/wan-22-image-trainer' });
    const lora = Buffer.from(buildSafetensors([{ name: 'low', dtype: 'F32', shape: [4, 4] }], { format: 'pt' }));
    const highNoise = Buffer.from(buildSafetensors([{ name: 'high', dtype: 'F32', shape: [2, 4] }], { format: 'pt' }));
    const config = Buffer.from('{"steps": 1000}');
    provider.result.mockResolvedValue({
      loraUrl: 'https://trainer.test/lora', fileName: 'pytorch_lora_weights.safetensors',
      others: [
        { field: 'config_file', url: 'https://trainer.test/config', name: 'config.json', role: 'config', contentType: 'application/json' },
        { field: 'high_noise_lora', url: 'https://trainer.test/high', name: 'high_noise_lora.safetensors', role: 'lora-high-noise' },
        { field: 'video', url: 'https://trainer.test/expired-sample', name: 'sample.mp4', role: 'sample', contentType: 'video/mp4' },
      ],
    });
    vi.stubGlobal('fetch', serving({ 'https://trainer.test/lora': lora, 'https://trainer.test/high': highNoise, 'https://trainer.test/config': config }));
    const stored = storedUploads();

    expect((await collect(state)).phase).toBe('done');
    const prefix = 'loras/alice/01JOB/';
    expect([...stored.keys()].sort()).toEqual([`${prefix}config.json`, `${prefix}high_noise_lora.safetensors`, `${prefix}pytorch_lora_weights.safetensors`]);
    // Both LoRAs carry the training facts; the config is stored as the trainer sent it.
    for (const name of ['pytorch_lora_weights.safetensors', 'high_noise_lora.safetensors']) {
      expect(parseSafetensorsHeader(stored.get(prefix + name)!.bytes).metadata['loraworks.job_id'], name).toBe('01JOB');
    }
    expect(stored.get(`${prefix}config.json`)).toEqual({ bytes: config, contentType: 'application/json' });
    const described = (name: string, role: string, contentType: string) => {
      const bytes = stored.get(prefix + name)!.bytes;
      return { name, role, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), contentType };
    };
    const values = Object.values(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues!);
    expect(values).toContainEqual([
      described('pytorch_lora_weights.safetensors', 'lora', 'application/octet-stream'),
      described('config.json', 'config', 'application/json'),
      described('high_noise_lora.safetensors', 'lora-high-noise', 'application/octet-stream'),
    ]);
    expect(values).toContainEqual(expect.objectContaining({ fileName: 'pytorch_lora_weights.safetensors' }));
    expect(writtenStatus()).toEqual(['COMPLETED']);
  });

  it('collect fails the job when its second LoRA is not safetensors, and keeps none of its files', async () => {
    withJob({ status: 'RUNNING', remote: { ...remote, endpoint: 'fal-ai/wan-22-image-trainer' } });
    const lora = Buffer.from(buildSafetensors([{ name: 'low', dtype: 'F32', shape: [4, 4] }], {}));
    provider.result.mockResolvedValue({
      loraUrl: 'https://trainer.test/lora', fileName: 'lora.safetensors',
      others: [{ field: 'high_noise_lora', url: 'https://trainer.test/high', name: 'high_noise_lora.safetensors', role: 'lora-high-noise' }],
    });
    vi.stubGlobal('fetch', serving({ 'https://trainer.test/lora': lora, 'https://trainer.test/high': '<html>not found</html>' }));
    const stored = storedUploads();
    await expect(collect(state)).rejects.toMatchObject({ name: 'InvalidArtifact' });
    expect([...stored.keys()]).toEqual([]);
    expect(writtenStatus()).not.toContain('COMPLETED');
  });

  it('collect takes the LoRA out of an archive (Replicate) before storing it', async () => {
    const { tarEnd, tarHeader, tarPadding } = await import('#domain/tar-member');
    withJob({ status: 'RUNNING', remote });
    const lora = Buffer.from(buildSafetensors([{ name: 'w', dtype: 'F16', shape: [8] }], {}));
    const tar = Buffer.concat([tarHeader('output/lora.safetensors', lora.length), lora, tarPadding(lora.length), tarEnd()]);
    provider.result.mockResolvedValue({ loraUrl: 'https://trainer.test/out.tar', fileName: 'lora.safetensors', archive: { format: 'tar', member: 'lora.safetensors' } });
    vi.stubGlobal('fetch', vi.fn(async () => new Response(tar)));
    const upload = storedUpload();
    expect((await collect(state)).phase).toBe('done');
    const uploaded = upload.bytes();
    expect(parseSafetensorsHeader(uploaded).metadata['loraworks.job_id']).toBe('01JOB');
  });

  it('collect refuses a file that is not safetensors', async () => {
    withJob({ status: 'RUNNING', remote });
    provider.result.mockResolvedValue({ loraUrl: 'https://trainer.test/lora', fileName: 'lora.safetensors' });
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>not found</html>')));
    s3.onAnyCommand().resolves({});
    await expect(collect(state)).rejects.toMatchObject({ name: 'InvalidArtifact' });
  });

  it('collect fails a LoRA cut short of what its header declares, and does not keep the stored file', async () => {
    withJob({ status: 'RUNNING', remote });
    const whole = Buffer.from(buildSafetensors([{ name: 'w', dtype: 'F32', shape: [64, 64] }], {}));
    provider.result.mockResolvedValue({ loraUrl: 'https://trainer.test/lora', fileName: 'lora.safetensors' });
    vi.stubGlobal('fetch', vi.fn(async () => new Response(whole.subarray(0, whole.length - 100))));
    s3.onAnyCommand().resolves({});
    await expect(collect(state)).rejects.toMatchObject({ name: 'InvalidArtifact' });
    expect(s3.commandCalls(DeleteObjectCommand).map(({ args: [{ input }] }) => input)).toEqual([{ Bucket: 'artifacts-test', Key: 'loras/alice/01JOB/lora.safetensors' }]);
    expect(writtenStatus()).not.toContain('COMPLETED');
  });

  it('cancel-remote collects the LoRA when the trainer finished first', async () => {
    withJob({ status: 'CANCELLING', remote });
    provider.cancel.mockResolvedValue('already-completed');
    provider.status.mockResolvedValue({ state: 'completed', progress: { fraction: 1 } });
    expect((await cancelRemote(state)).phase).toBe('completed');
  });

  it('cancel-remote ends the job CANCELLED once the trainer stopped it', async () => {
    withJob({ status: 'CANCELLING', remote });
    provider.cancel.mockResolvedValue('cancelled');
    expect((await cancelRemote(state)).phase).toBe('done');
    expect(writtenStatus()).toEqual(['CANCELLED']);
  });

  it('cancel-remote asks once, then watches the trainer, asking again only every few checks', async () => {
    withJob({ status: 'CANCELLING', remote });
    provider.cancel.mockResolvedValue('requested');
    provider.status.mockResolvedValue({ state: 'running', progress: { fraction: 0.5 } });
    let next = await cancelRemote({ ...state, phase: 'cancel' });
    expect(next).toMatchObject({ phase: 'cancelling', cancelChecks: 0 });
    for (let i = 0; i < 9; i++) next = await cancelRemote(next);
    expect(provider.cancel).toHaveBeenCalledTimes(1);
    next = await cancelRemote(next);
    expect(provider.cancel).toHaveBeenCalledTimes(2);
    expect(provider.status).toHaveBeenCalledTimes(11);
  });

  it('mark-failed ends the job FAILED with a readable message and stops the trainer', async () => {
    withJob({ status: 'RUNNING', remote });
    provider.cancel.mockResolvedValue('cancelled');
    const next = await markFailed({ ...state, error: { Error: 'TrainerUnavailable', Cause: '{"errorMessage":"503"}' } });
    expect(next.phase).toBe('done');
    expect(provider.cancel).toHaveBeenCalled();
    expect(writtenStatus()).toEqual(['FAILED']);
  });

  it('lets TrainerUnavailable escape by name so Step Functions retries it', async () => {
    withJob({ status: 'RUNNING', remote });
    const { TrainerUnavailable } = await import('#providers/provider');
    provider.status.mockRejectedValue(new TrainerUnavailable('503'));
    await expect(poll(state)).rejects.toMatchObject({ name: 'TrainerUnavailable' });
  });
});
