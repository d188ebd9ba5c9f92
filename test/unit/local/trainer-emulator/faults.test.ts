import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSafetensorsHeader, readHeaderLength } from '#domain/safetensors';
import { tarMember } from '#domain/tar-member';
import { fallbackTrainers, findTrainer } from '#domain/trainer-catalog';
import { createFalProvider } from '#providers/fal';
import { TrainerUnavailable } from '#providers/provider';
import { createReplicateProvider } from '#providers/replicate';
import { startTrainerEmulator, type EmulatedRequest, type EmulatorFaults, type TrainerEmulator } from '#local/trainer-emulator/server';
import type { FalAnswer } from '#support/fal-answer';
import { until } from '#support/poll';

let files: Server;
let datasetUrl: string;

beforeAll(async () => {
  const zip = await new JSZip().file('a.png', new Uint8Array([137, 80, 78, 71])).file('a.txt', 'a photo of TOK').generateAsync({ type: 'uint8array' });
  files = createServer((_, res) => res.end(zip));
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  datasetUrl = `http://127.0.0.1:${(files.address() as { port: number }).port}/set.zip`;
});
afterAll(async () => new Promise((resolve) => files.close(resolve)));

let emulator: TrainerEmulator;
beforeEach(async () => {
  emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 1000 });
});
afterEach(async () => emulator.stop());

const headers = { authorization: 'Key test-key', 'content-type': 'application/json' };

async function call(method: string, url: string, body?: unknown, signal?: AbortSignal) {
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), ...(signal ? { signal } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { unparsable: text };
  }
  return { status: res.status, body: parsed as FalAnswer, headers: res.headers };
}

const record = (id: string) => fetch(`${emulator.url}/__emulator/requests/${id}`).then((res) => res.json() as Promise<EmulatedRequest>);
const endpoint = 'fal-ai/flux-lora-fast-training';
const submit = (faults: EmulatorFaults, steps = 200) =>
  call('POST', `${emulator.queueUrl}/${endpoint}`, { images_data_url: datasetUrl, trigger_word: 'TOK', steps, emulator_faults: faults });
const urls = (id: string) => {
  const base = `${emulator.queueUrl}/${endpoint}/requests/${id}`;
  return { result: base, status: `${base}/status?logs=1`, cancel: `${base}/cancel` };
};

async function completed(id: string) {
  return until('completion', () => record(id), (request) => request.status === 'COMPLETED');
}

describe('error bursts', () => {
  it('refuses a submission N times with 429, then accepts it and records the refusals on the request', async () => {
    const faults = { errorBursts: { submit: { count: 2, status: 429 } } };
    const first = await submit(faults);
    const second = await submit(faults);
    expect([first.status, second.status]).toEqual([429, 429]);
    expect(first.headers.get('retry-after')).toBe('1');
    const accepted = await submit(faults);
    expect(accepted.status).toBe(200);
    expect(emulator.requests()).toHaveLength(1);
    const seen = await record(accepted.body.request_id);
    expect(seen.faultsApplied.map((fault) => [fault.fault, fault.call, fault.detail])).toEqual([
      ['error-burst', 'submit', 'HTTP 429 (1 of 2)'], ['error-burst', 'submit', 'HTTP 429 (2 of 2)'],
    ]);
  });

  it('answers status with 503 runner_scheduling_failure N times, with fal\'s headers, then normally', async () => {
    const { body } = await submit({ errorBursts: { status: { count: 3, status: 503, retryable: true } } });
    const answers = [];
    for (let index = 0; index < 4; index++) answers.push(await call('GET', urls(body.request_id).status));
    expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503, expect.any(Number)]);
    expect(answers[3]!.status === 200 || answers[3]!.status === 202).toBe(true);
    expect(answers[0]!.body).toMatchObject({ error_type: 'runner_scheduling_failure' });
    expect(answers[0]!.headers.get('x-fal-error-type')).toBe('runner_scheduling_failure');
    expect(answers[0]!.headers.get('x-fal-retryable')).toBe('true');
  });

  it('answers the result with 502 once after completion; the fal adapter retries and then collects', async () => {
    const { body } = await submit({ errorBursts: { result: { count: 1, status: 502 } } }, 50);
    await completed(body.request_id);
    const fal = createFalProvider({ queueUrl: emulator.queueUrl, apiUrl: emulator.apiUrl, apiKey: 'k' });
    const job = { provider: 'fal' as const, endpoint, requestId: body.request_id };
    await expect(fal.result(job)).rejects.toBeInstanceOf(TrainerUnavailable);
    expect(await fal.result(job)).toMatchObject({ fileName: 'pytorch_lora_weights.safetensors' });
  });
});

describe('slow and malformed answers', () => {
  it('holds a status answer longer than the client waits, then answers the next at once', async () => {
    const { body } = await submit({ delays: { status: { ms: 5_000 } } });
    await expect(call('GET', urls(body.request_id).status, undefined, AbortSignal.timeout(200))).rejects.toThrow();
    const started = Date.now();
    expect((await call('GET', urls(body.request_id).status)).body.status).toMatch(/IN_QUEUE|IN_PROGRESS|COMPLETED/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await record(body.request_id)).faultsApplied).toContainEqual(expect.objectContaining({ fault: 'delay', call: 'status', detail: 'answer held 5000 ms' }));
  });

  it('a held submit still creates the request: the client sees a timeout, the trainer has the job', async () => {
    await expect(call('POST', `${emulator.queueUrl}/${endpoint}`, { images_data_url: datasetUrl, steps: 10, emulator_faults: { delays: { submit: { ms: 5_000 } } } }, AbortSignal.timeout(200)))
      .rejects.toThrow();
    const [request] = await until('the request', async () => emulator.requests(), (list) => list.length === 1);
    expect(request!.faultsApplied).toContainEqual(expect.objectContaining({ fault: 'delay', call: 'submit' }));
  });

  it('answers with invalid JSON, or JSON without its fields, as many times as asked', async () => {
    const { body } = await submit({ malformed: { status: { kind: 'invalid-json' }, result: { kind: 'missing-fields', count: 2 } } }, 50);
    expect((await call('GET', urls(body.request_id).status)).body.unparsable).toBeDefined();
    expect((await call('GET', urls(body.request_id).status)).body.status).toBeDefined();
    await completed(body.request_id);
    expect((await call('GET', urls(body.request_id).result)).body).toEqual({});
    expect((await call('GET', urls(body.request_id).result)).body).toEqual({});
    expect((await call('GET', urls(body.request_id).result)).body.diffusers_lora_file).toBeDefined();
    const applied = (await record(body.request_id)).faultsApplied.filter((fault) => fault.fault === 'malformed');
    expect(applied.map((fault) => `${fault.call}:${fault.detail}`)).toEqual(['status:invalid-json', 'result:missing-fields', 'result:missing-fields']);
  });
});

describe('requests the trainer loses', () => {
  it('forgets a request from a step on: every call answers 404 and training stops', async () => {
    const { body } = await submit({ forgetAtStep: 100 }, 1000);
    const seen = await until('the request to be forgotten', () => record(body.request_id), (request) => request.status === 'FORGOTTEN');
    expect(seen.step).toBe(100);
    expect(seen.faultsApplied).toContainEqual(expect.objectContaining({ fault: 'forgotten', detail: 'at step 100' }));
    expect((await call('GET', urls(body.request_id).status)).status).toBe(404);
    expect((await call('GET', urls(body.request_id).result)).status).toBe(404);
    expect(await call('PUT', urls(body.request_id).cancel)).toMatchObject({ status: 404, body: { status: 'NOT_FOUND' } });
    const fal = createFalProvider({ queueUrl: emulator.queueUrl, apiUrl: emulator.apiUrl, apiKey: 'k' });
    await expect(fal.status({ provider: 'fal', endpoint, requestId: body.request_id })).rejects.toMatchObject({ name: 'TrainerRejected', code: 'TRAINER_NOT_FOUND' });
  });

  it.each([404, 410] as const)('expires the result (%i) after completion; the fal adapter fails the job without retry', async (expired) => {
    const { body } = await submit({ resultExpiresAfterMs: 0, resultExpiredStatus: expired }, 50);
    await completed(body.request_id);
    expect((await call('GET', urls(body.request_id).result)).status).toBe(expired);
    const fal = createFalProvider({ queueUrl: emulator.queueUrl, apiUrl: emulator.apiUrl, apiKey: 'k' });
    expect(await fal.status({ provider: 'fal', endpoint, requestId: body.request_id })).toMatchObject({ state: 'failed', error: { code: 'RESULT_EXPIRED' } });
    expect((await record(body.request_id)).faultsApplied.some((fault) => fault.fault === 'result-expired')).toBe(true);
  });

  it('fails at a chosen step with a chosen error type and status', async () => {
    const { body } = await submit({ failAtStep: 50, message: 'No GPU left', failErrorType: 'runner_scheduling_failure', failStatus: 503 }, 1000);
    const seen = await until('the failure', () => record(body.request_id), (request) => request.status === 'FAILED');
    expect(seen.step).toBe(50);
    expect(await call('GET', urls(body.request_id).result)).toMatchObject({ status: 503, body: { detail: 'No GPU left', error_type: 'runner_scheduling_failure' } });
  });
});

describe('large and slow results', () => {
  it('produces a LoRA of the asked size, valid safetensors, streamed at the asked rate', async () => {
    const { body } = await submit({ loraMegabytes: 3, downloadKBps: 8192 }, 50);
    await completed(body.request_id);
    const result = await call('GET', urls(body.request_id).result);
    const lora = result.body.diffusers_lora_file;
    expect(lora.file_size).toBe(3 * 1024 * 1024);
    const started = Date.now();
    const response = await fetch(lora.url);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(Date.now() - started, 'served at about 8 MB/s').toBeGreaterThanOrEqual(250);
    expect(bytes.byteLength).toBe(lora.file_size);
    const head = bytes.subarray(0, 8 + readHeaderLength(bytes));
    expect(parseSafetensorsHeader(head, { fileSize: bytes.byteLength }).tensors.some((tensor) => tensor.name === 'emulator.padding')).toBe(true);
    const applied = (await record(body.request_id)).faultsApplied.map((fault) => fault.fault);
    expect(applied).toEqual(expect.arrayContaining(['large-lora', 'slow-download']));
  });
});

describe('cancels', () => {
  it('accepts a cancel but keeps training for N more steps', async () => {
    const { body } = await submit({ cancelIgnoredSteps: 150 }, 100_000);
    await until('training', () => record(body.request_id), (request) => request.step > 0);
    expect((await call('PUT', urls(body.request_id).cancel)).status).toBe(202);
    const seen = await until('the cancel to land', () => record(body.request_id), (request) => request.status === 'CANCELLED');
    expect(seen.cancelRequested).toBe(true);
    expect(seen.step).toBeGreaterThanOrEqual(seen.cancelRequestedAtStep! + 150);
    expect(seen.faultsApplied).toContainEqual(expect.objectContaining({ fault: 'cancel-ignored', detail: '150 steps' }));
  });

  it('accepts a cancel but keeps training for N seconds, and may complete meanwhile', async () => {
    const { body } = await submit({ cancelIgnoredSeconds: 30 }, 300);
    await until('training', () => record(body.request_id), (request) => request.step > 0);
    expect((await call('PUT', urls(body.request_id).cancel)).status).toBe(202);
    const seen = await completed(body.request_id);
    expect(seen).toMatchObject({ cancelRequested: true, completedAt: expect.any(String) });
    expect((await call('GET', urls(body.request_id).result)).status).toBe(200);
  });

  it.each([
    ['accepted', 202, 'CANCELLATION_REQUESTED'],
    ['already-completed', 400, 'ALREADY_COMPLETED'],
  ] as const)('completes at the moment the cancel arrives (%s)', async (mode, status, answer) => {
    const { body } = await submit({ completeOnCancel: mode }, 100_000);
    await until('training', () => record(body.request_id), (request) => request.step > 0);
    expect(await call('PUT', urls(body.request_id).cancel)).toMatchObject({ status, body: { status: answer } });
    const seen = await record(body.request_id);
    expect(seen).toMatchObject({ status: 'COMPLETED', cancelRequested: true, step: 100_000, completedAt: expect.any(String) });
    expect(Date.parse(seen.completedAt!)).toBeGreaterThanOrEqual(Date.parse(seen.cancelRequestedAt!));
    expect((await call('GET', urls(body.request_id).result)).status).toBe(200);
  });
});

describe('faults registered ahead', () => {
  it('apply to the next submission whose body matches, once', async () => {
    const response = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST', body: JSON.stringify({ match: 'unique-trigger-42', faults: { errorBursts: { submit: { count: 1, status: 503 } }, failAtStep: 10 } }),
    });
    expect(response.status).toBe(201);
    const other = await call('POST', `${emulator.queueUrl}/${endpoint}`, { images_data_url: datasetUrl, trigger_word: 'someone-else', steps: 20 });
    expect(other.status).toBe(200);
    const body = { images_data_url: datasetUrl, trigger_word: 'unique-trigger-42', steps: 1000 };
    expect((await call('POST', `${emulator.queueUrl}/${endpoint}`, body)).status).toBe(503);
    const accepted = await call('POST', `${emulator.queueUrl}/${endpoint}`, body);
    expect(accepted.status).toBe(200);
    const seen = await until('the failure', () => record(accepted.body.request_id), (request) => request.status === 'FAILED');
    expect(seen.faults).toMatchObject({ failAtStep: 10 });
    expect(seen.faultsApplied.map((fault) => fault.fault)).toEqual(['error-burst', 'failed-at-step']);
    const again = await call('POST', `${emulator.queueUrl}/${endpoint}`, body);
    expect((await record(again.body.request_id)).faults).toEqual({});
    expect((await record(other.body.request_id)).faults).toEqual({});
  });
});

describe('the Replicate protocol', () => {
  const trainer = findTrainer(fallbackTrainers, 'replicate/ostris/flux-dev-lora-trainer')!;
  const replicate = () => createReplicateProvider({ apiUrl: emulator.replicateUrl, apiToken: 'r8_test', destination: 'me/loras' });

  async function extractLora(url: string): Promise<Uint8Array> {
    const response = await fetch(url);
    const parts: Uint8Array[] = [];
    for await (const part of tarMember('lora.safetensors')(response.body as unknown as AsyncIterable<Uint8Array>)) parts.push(part);
    return new Uint8Array(Buffer.concat(parts));
  }

  it('trains through the Replicate adapter with tqdm progress, and the weights are a tar holding the LoRA', async () => {
    const provider = replicate();
    const remote = await provider.submit({ trainer, datasetUrl, triggerPhrase: 'TOK', params: { steps: 300, rank: 16 } });
    const fractions: number[] = [];
    const status = await until('the training to end', async () => {
      const read = await provider.status(remote);
      fractions.push(read.progress.fraction);
      return read;
    }, (read) => read.state !== 'queued' && read.state !== 'running');
    expect(status).toMatchObject({ state: 'completed', progress: { fraction: 1, step: 300, totalSteps: 300 } });
    expect(fractions.some((fraction) => fraction > 0 && fraction < 1), `fractions ${fractions}`).toBe(true);
    const output = await provider.result(remote);
    expect(output).toMatchObject({ fileName: 'lora.safetensors', archive: { format: 'tar', member: 'lora.safetensors' } });
    const lora = await extractLora(output.loraUrl);
    expect(parseSafetensorsHeader(lora, { fileSize: lora.byteLength }).metadata).toMatchObject({ trigger_word: 'TOK', steps: '300' });
    const seen = await record(remote.requestId);
    expect(seen).toMatchObject({ protocol: 'replicate', destination: 'me/loras', input: { input_images: datasetUrl, trigger_word: 'TOK', steps: 300, lora_rank: 16 } });
    expect(await provider.cancel(remote)).toBe('already-completed');
  });

  it('cancels a training, refuses a bad token, and injects faults from the training input', async () => {
    const provider = replicate();
    const remote = await provider.submit({ trainer, datasetUrl, triggerPhrase: 'TOK', params: { steps: 6000 } });
    await until('training', () => record(remote.requestId), (request) => request.step > 0);
    expect(await provider.cancel(remote)).toBe('requested');
    await until('the cancel', () => provider.status(remote), (status) => status.state === 'cancelled');

    const bad = await fetch(`${emulator.replicateUrl}/trainings/${remote.requestId}`, { headers: { authorization: 'Key x' } });
    expect(bad.status).toBe(401);

    const version = (await (await fetch(`${emulator.replicateUrl}/models/ostris/flux-dev-lora-trainer`, { headers: { authorization: 'Bearer r8' } })).json()).latest_version.id;
    const create = () => fetch(`${emulator.replicateUrl}/models/ostris/flux-dev-lora-trainer/versions/${version}/trainings`, {
      method: 'POST', headers: { authorization: 'Bearer r8', 'content-type': 'application/json' },
      body: JSON.stringify({ destination: 'me/loras', input: { input_images: datasetUrl, steps: 1000, emulator_faults: { errorBursts: { submit: { count: 1, status: 429 } }, failAtStep: 40, message: 'CUDA out of memory' } } }),
    });
    expect((await create()).status).toBe(429);
    const created = await (await create()).json();
    const failed = await until('the failure', () => provider.status({ provider: 'replicate', endpoint: trainer.id, requestId: created.id }), (status) => status.state === 'failed');
    expect(failed.error).toEqual({ code: 'TRAINING_FAILED', message: 'The trainer failed: CUDA out of memory.' });
  });
});

describe('persistence', () => {
  it('keeps a large LoRA and a Replicate archive across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'emulator-faults-'));
    try {
      await emulator.stop();
      emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 1000, dataDir });
      const large = (await submit({ loraMegabytes: 2 }, 50)).body.request_id as string;
      const provider = createReplicateProvider({ apiUrl: emulator.replicateUrl, apiToken: 'r8', destination: 'me/loras' });
      const trainer = findTrainer(fallbackTrainers, 'replicate/ostris/flux-dev-lora-trainer')!;
      const remote = await provider.submit({ trainer, datasetUrl, triggerPhrase: 'TOK', params: { steps: 50 } });
      await completed(large);
      await completed(remote.requestId);
      await emulator.stop();

      emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 1000, dataDir });
      const lora = (await call('GET', urls(large).result)).body.diffusers_lora_file;
      const bytes = new Uint8Array(await (await fetch(lora.url)).arrayBuffer());
      expect(bytes.byteLength).toBe(2 * 1024 * 1024);
      expect(() => parseSafetensorsHeader(bytes.subarray(0, 8 + readHeaderLength(bytes)), { fileSize: bytes.byteLength })).not.toThrow();
      const again = createReplicateProvider({ apiUrl: emulator.replicateUrl, apiToken: 'r8', destination: 'me/loras' });
      const output = await again.result(remote);
      const response = await fetch(output.loraUrl);
      const parts: Uint8Array[] = [];
      for await (const part of tarMember('lora.safetensors')(response.body as unknown as AsyncIterable<Uint8Array>)) parts.push(part);
      const member = new Uint8Array(Buffer.concat(parts));
      expect(parseSafetensorsHeader(member, { fileSize: member.byteLength }).metadata.steps).toBe('50');
      expect((await record(large)).faultsApplied.map((fault) => fault.fault)).toContain('large-lora');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
