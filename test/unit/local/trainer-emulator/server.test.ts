import { createServer, request, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensorsHeader } from '#domain/safetensors';
import { startTrainerEmulator, type EmulatedRequest, type TrainerEmulator } from '#local/trainer-emulator/server';
import type { FalAnswer } from '#support/fal-answer';
import { until } from '#support/poll';

let files: Server;
let filesUrl: string;
const served: Record<string, Uint8Array> = {};

beforeAll(async () => {
  const zip = new JSZip();
  zip.file('photo-01.png', new Uint8Array([137, 80, 78, 71]));
  zip.file('photo-01.txt', 'a photo of [trigger]');
  served['/set.zip'] = await zip.generateAsync({ type: 'uint8array' });
  served['/not-a-zip.zip'] = new TextEncoder().encode('hello, not a zip');
  files = createServer((req, res) => {
    const body = served[new URL(req.url ?? '/', 'http://files').pathname];
    res.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  const address = files.address();
  filesUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => files.close(resolve));
});

let emulator: TrainerEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

const key = { authorization: 'Key test-key' };

async function call(method: string, url: string, body?: unknown) {
  const res = await fetch(url, { method, headers: { ...key, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as FalAnswer, headers: res.headers };
}

/** The step count written into the LoRA file the result of a request links to. */
async function servedLoraSteps(id: string): Promise<string | undefined> {
  const result = await call('GET', `${emulator!.queueUrl}/fal-ai/flux-lora-fast-training/requests/${id}`);
  const bytes = new Uint8Array(await (await fetch(result.body.diffusers_lora_file.url)).arrayBuffer());
  return parseSafetensorsHeader(bytes).metadata.steps;
}
const inspect = (id: string) => fetch(`${emulator!.url}/__emulator/requests/${id}`).then((res) => res.json() as Promise<EmulatedRequest>);

describe('the trainer emulator', () => {
  it('answers its control view only on this machine, and shows no dataset link that opens anything', async () => {
    const outside = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
    expect(outside, 'this test needs an address of this machine other than loopback').toBeDefined();
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500, host: '0.0.0.0' });
    const port = new URL(emulator.url).port;
    const link = `${filesUrl}/set.zip?X-Amz-Credential=AKIA%2Flocal&X-Amz-Signature=feedface`;
    const submitted = await call('POST', `http://127.0.0.1:${port}/queue/fal-ai/flux-lora-fast-training`, { images_data_url: link, trigger_word: 'ohwx cat', steps: 50 });
    expect(submitted.status).toBe(200);

    const fromOutside = await fetch(`http://${outside}:${port}/__emulator/requests`);
    expect(fromOutside.status).toBe(403);
    expect(await fromOutside.json()).toMatchObject({ detail: expect.stringMatching(/only on this machine/) });

    const rebound = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/__emulator/requests', headers: { host: `attacker.example:${port}` } }, (res) => resolve(res.resume().statusCode ?? 0))
        .on('error', reject).end();
    });
    expect(rebound, 'a page whose name resolves to 127.0.0.1').toBe(403);

    const records = (await (await fetch(`http://127.0.0.1:${port}/__emulator/requests`)).json()) as EmulatedRequest[];
    const one = (await (await fetch(`http://127.0.0.1:${port}/__emulator/requests/${submitted.body.request_id as string}`)).json()) as EmulatedRequest;
    for (const record of [records[0]!, one]) {
      expect(record.input.images_data_url).toBe(`${filesUrl}/set.zip?…`);
      expect(JSON.stringify(record)).not.toMatch(/Signature|feedface/);
    }
    // A link the trainer could not download is quoted in the request's error: without its signature too.
    const broken = await call('POST', `http://127.0.0.1:${port}/queue/fal-ai/flux-lora-fast-training`, { images_data_url: `${filesUrl}/gone.zip?X-Amz-Signature=feedface`, trigger_word: 'ohwx', steps: 50 });
    const failed = await until('the download to fail', () => fetch(`http://127.0.0.1:${port}/__emulator/requests/${broken.body.request_id as string}`).then((r) => r.json() as Promise<EmulatedRequest>), (r) => r.status === 'FAILED');
    expect(JSON.stringify(failed.error)).toContain(`${filesUrl}/gone.zip?…`);
    expect(JSON.stringify(failed)).not.toMatch(/Signature|feedface/);
    // The link itself still reached the training (it is the view that hides it).
    await until('completion', () => inspect(submitted.body.request_id as string), (r) => r.status === 'COMPLETED');
  });

  it('trains a submitted request with rising progress and serves a safetensors LoRA', async () => {
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500 });
    const submitted = await call('POST', `${emulator.queueUrl}/fal-ai/flux-lora-fast-training`, {
      images_data_url: `${filesUrl}/set.zip`, trigger_word: 'ohwx cat', steps: 150,
    });
    expect(submitted.status).toBe(200);
    const id = submitted.body.request_id as string;
    expect(submitted.body).toMatchObject({
      status: 'IN_QUEUE', queue_position: 0,
      status_url: `${emulator.queueUrl}/fal-ai/flux-lora-fast-training/requests/${id}/status`,
      cancel_url: `${emulator.queueUrl}/fal-ai/flux-lora-fast-training/requests/${id}/cancel`,
    });

    const running = await until('a step in the logs', () => call('GET', `${submitted.body.status_url}?logs=1`),
      (res) => res.body.status === 'IN_PROGRESS' && res.body.logs.some((log: { message: string }) => /^step [1-9]\d*\/150$/.test(log.message)));
    expect(running.status).toBe(202);
    expect(running.body.logs[0]).toMatchObject({ level: 'INFO', source: 'USER', timestamp: expect.any(String) });

    const done = await until('completion', () => call('GET', `${submitted.body.status_url}?logs=1`), (res) => res.body.status === 'COMPLETED');
    expect(done.status).toBe(200);
    expect(done.body.logs.map((log: { message: string }) => log.message)).toContain('step 150/150');

    const result = await call('GET', submitted.body.response_url);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      diffusers_lora_file: { content_type: 'application/octet-stream', file_name: 'pytorch_lora_weights.safetensors', file_size: expect.any(Number) },
      config_file: { file_name: 'config.json' },
    });
    const file = await fetch(result.body.diffusers_lora_file.url);
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(bytes.byteLength).toBe(result.body.diffusers_lora_file.file_size);
    const header = parseSafetensorsHeader(bytes);
    expect(header.metadata).toMatchObject({ trigger_word: 'ohwx cat', steps: '150', trainer: 'fal-ai/flux-lora-fast-training' });
    expect(header.tensors.length).toBeGreaterThanOrEqual(4);
    expect(header.tensors.every((tensor) => tensor.dtype === 'F16' && /lora_[AB]\.weight$/.test(tensor.name))).toBe(true);
    expect(bytes.byteLength).toBeGreaterThan(2048);

    const seen = await inspect(id);
    expect(seen).toMatchObject({ status: 'COMPLETED', step: 150, totalSteps: 150, cancelRequested: false, input: { trigger_word: 'ohwx cat' } });
    expect(emulator.requests().map((request) => request.requestId)).toEqual([id]);
  });

  it('cancels a running request; the result then says cancelled and a second cancel says already completed', async () => {
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500 });
    const { body } = await call('POST', `${emulator.queueUrl}/fal-ai/wan-trainer`, { training_data_url: `${filesUrl}/set.zip`, number_of_steps: 100_000 });
    await until('training to start', () => inspect(body.request_id), (request) => request.status === 'IN_PROGRESS');

    const cancel = await call('PUT', body.cancel_url);
    expect(cancel).toMatchObject({ status: 202, body: { status: 'CANCELLATION_REQUESTED' } });
    const seen = await until('the cancel to land', () => inspect(body.request_id), (request) => request.status === 'CANCELLED');
    expect(seen.cancelRequested).toBe(true);

    expect((await call('GET', body.status_url)).body.status).toBe('COMPLETED');
    const result = await call('GET', body.response_url);
    expect(result.status).toBe(499);
    expect(result.body).toMatchObject({ error_type: 'client_cancelled' });
    expect(await call('PUT', body.cancel_url)).toMatchObject({ status: 400, body: { status: 'ALREADY_COMPLETED' } });
    expect(await call('PUT', `${emulator.queueUrl}/fal-ai/wan-trainer/requests/nope/cancel`)).toMatchObject({ status: 404, body: { status: 'NOT_FOUND' } });
  });

  it('queues beyond its concurrency with queue positions, and drops a cancelled queued request at once', async () => {
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500, concurrency: 1 });
    const submit = () => call('POST', `${emulator!.queueUrl}/fal-ai/qwen-image-trainer`, { image_data_url: `${filesUrl}/set.zip`, steps: 100_000 });
    const first = (await submit()).body;
    const second = (await submit()).body;
    const third = (await submit()).body;
    await until('the first to start', () => inspect(first.request_id), (request) => request.status === 'IN_PROGRESS');
    expect((await call('GET', third.status_url)).body).toMatchObject({ status: 'IN_QUEUE', queue_position: 1 });

    expect((await call('PUT', second.cancel_url)).status).toBe(202);
    expect((await inspect(second.request_id)).status).toBe('CANCELLED');
    expect((await call('GET', third.status_url)).body).toMatchObject({ status: 'IN_QUEUE', queue_position: 0 });

    await call('PUT', first.cancel_url);
    await until('the third to start', () => inspect(third.request_id), (request) => request.status === 'IN_PROGRESS');
  });

  it('fails a request whose dataset cannot be downloaded or is not a zip, the way fal reports it', async () => {
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500 });
    const cases = [[`${filesUrl}/missing.zip`, /Could not download.*HTTP 404/], [`${filesUrl}/not-a-zip.zip`, /not a zip archive/], ['not a url', /Could not download/]] as const;
    for (const [datasetUrl, message] of cases) {
      const { body } = await call('POST', `${emulator.queueUrl}/fal-ai/flux-lora-fast-training`, { images_data_url: datasetUrl, steps: 10 });
      await until('the failure', () => inspect(body.request_id), (request) => request.status === 'FAILED');
      expect((await call('GET', body.status_url)).body.status).toBe('COMPLETED');
      const result = await call('GET', body.response_url);
      expect(result.status).toBe(422);
      expect(result.body.detail[0]).toMatchObject({ loc: ['body', 'images_data_url'], msg: expect.stringMatching(message) });
    }
  });

  it('refuses at submit a request without a dataset URL, naming the field the trainer does not take, and queues nothing', async () => {
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500 });
    const submitted = await call('POST', `${emulator.queueUrl}/fal-ai/ltx-video-trainer`, { images_data_url: `${filesUrl}/set.zip` });
    expect(submitted).toMatchObject({ status: 422, body: { detail: [
      { loc: ['body', 'training_data_url'], type: 'missing' },
      { loc: ['body', 'images_data_url'], type: 'extra_forbidden', msg: 'Extra inputs are not permitted' },
    ] } });
    expect(emulator.requests()).toEqual([]);
  });

  it('refuses a Replicate training whose input has a field the trainer does not take, creating nothing', async () => {
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500 });
    const model = `${emulator.replicateUrl}/models/ostris/flux-dev-lora-trainer`;
    const headers = { authorization: 'Bearer r8_test', 'content-type': 'application/json' };
    const version = ((await (await fetch(model, { headers })).json()) as { latest_version: { id: string } }).latest_version.id;
    const res = await fetch(`${model}/versions/${version}/trainings`, {
      method: 'POST', headers, body: JSON.stringify({ destination: 'me/loras', input: { input_images: `${filesUrl}/set.zip`, trigger_phrase: 'TOK', steps: 2 } }),
    });
    expect({ status: res.status, body: await res.json() }).toMatchObject({ status: 422, body: { title: 'Input validation failed', invalid_fields: [
      { type: 'greater_than_equal', field: 'input.steps', description: 'Must be greater than or equal to 3' },
      { type: 'additional_property_not_allowed', field: 'input', description: 'Additional property trigger_phrase is not allowed' },
    ] } });
    expect(emulator.requests()).toEqual([]);
  });

  it('injects a training failure at a chosen step', async () => {
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500 });
    const { body } = await call('POST', `${emulator.queueUrl}/fal-ai/flux-lora-fast-training`, {
      images_data_url: `${filesUrl}/set.zip`, steps: 1000, emulator_faults: { failAtStep: 20, message: 'CUDA out of memory' },
    });
    const seen = await until('the failure', () => inspect(body.request_id), (request) => request.status === 'FAILED');
    expect(seen.step).toBe(20);
    const result = await call('GET', body.response_url);
    expect(result).toMatchObject({ status: 500, body: { detail: 'CUDA out of memory', error_type: 'runner_server_error' } });
    expect(result.headers.get('x-fal-error-type')).toBe('runner_server_error');
  });

  it('lists the built-in trainers as fal training models, page by page', async () => {
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500 });
    const first = await call('GET', `${emulator.apiUrl}/v1/models?category=training&status=active&limit=10`);
    expect(first.body.models).toHaveLength(10);
    expect(first.body.models[0]).toMatchObject({ endpoint_id: 'fal-ai/flux-lora-fast-training', metadata: { category: 'training', status: 'active' } });
    const second = await call('GET', `${emulator.apiUrl}/v1/models?category=training&limit=10&cursor=${first.body.next_cursor}`);
    expect(second.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(second.body.models).toHaveLength(3);
    expect((await call('GET', `${emulator.apiUrl}/v1/models?category=text-to-image`)).body.models).toEqual([]);
  });

  it('refuses unknown apps and requests, and a malformed key', async () => {
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500 });
    expect((await call('POST', `${emulator.queueUrl}/fal-ai/flux-dev`, {})).status).toBe(404);
    expect((await call('GET', `${emulator.queueUrl}/fal-ai/wan-trainer/requests/nope/status`)).status).toBe(404);
    const res = await fetch(`${emulator.apiUrl}/v1/models`, { headers: { authorization: 'Bearer x' } });
    expect(res.status).toBe(401);
  });

  it('requires the key fal and Replicate require, and answers a missing or wrong one with their 401', async () => {
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500, keys: { fal: 'fal-right', replicate: 'r8_right' } });
    const submit = (headers: Record<string, string>) => fetch(`${emulator!.queueUrl}/fal-ai/flux-lora-fast-training`, {
      method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ images_data_url: `${filesUrl}/set.zip` }),
    });
    const missing = await submit({});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ detail: expect.stringContaining('Authorization: Key') });
    const wrong = await submit({ authorization: 'Key fal-wrong' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ detail: 'No user found for Key ID and Secret' });
    expect((await submit({ authorization: 'Key fal-right' })).status).toBe(200);
    expect(emulator.requests()).toHaveLength(1);

    const account = (headers: Record<string, string>) => fetch(`${emulator!.replicateUrl}/models/ostris/flux-dev-lora-trainer`, { headers });
    const unsigned = await account({});
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ title: 'Unauthenticated', detail: 'You did not pass an authentication token', status: 401 });
    for (const authorization of ['Bearer r8_wrong', 'Key r8_right']) {
      const refused = await account({ authorization });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 });
    }
    expect((await account({ authorization: 'Bearer r8_right' })).status).toBe(200);
    expect((await account({ authorization: 'Token r8_right' })).status).toBe(200);
  });

  it('trains the last step again, rather than forgetting the request, when a completed LoRA never reached the disk', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'emulator-'));
    try {
      emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 2000, dataDir });
      const { body } = await call('POST', `${emulator.queueUrl}/fal-ai/flux-lora-fast-training`, { images_data_url: `${filesUrl}/set.zip`, steps: 100 });
      await until('completion', () => inspect(body.request_id), (request) => request.status === 'COMPLETED');
      await emulator.stop();
      // What a kill between the record's write and the LoRA's would leave (or a hand-cleaned folder).
      await rm(join(dataDir, 'files', body.request_id), { recursive: true });

      emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 2000, dataDir });
      const again = await until('completion after restart', () => inspect(body.request_id), (request) => request.status === 'COMPLETED');
      expect(again.step).toBe(100);
      expect(await servedLoraSteps(body.request_id)).toBe('100');
    } finally {
      await emulator?.stop();
      emulator = undefined;
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('resumes unfinished requests from its data folder after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'emulator-'));
    try {
      emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500, dataDir });
      const { body } = await call('POST', `${emulator.queueUrl}/fal-ai/flux-lora-fast-training`, { images_data_url: `${filesUrl}/set.zip`, steps: 400 });
      const before = await until('some steps', () => inspect(body.request_id), (request) => request.step >= 50);
      await emulator.stop();

      emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500, dataDir });
      const after = await until('completion after restart', () => inspect(body.request_id), (request) => request.status === 'COMPLETED');
      expect(after.step).toBe(400);
      const logs = (await call('GET', `${emulator.queueUrl}/fal-ai/flux-lora-fast-training/requests/${body.request_id}/status?logs=1`)).body.logs as { message: string }[];
      expect(logs.some((log) => log.message.startsWith('Resuming training at step'))).toBe(true);
      expect(before.step).toBeGreaterThan(0);
      const result = await call('GET', `${emulator.queueUrl}/fal-ai/flux-lora-fast-training/requests/${body.request_id}`);
      expect(result.body.diffusers_lora_file.url.startsWith(emulator.url)).toBe(true);
      await emulator.stop();

      emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500, dataDir });
      expect(await servedLoraSteps(body.request_id)).toBe('400');
    } finally {
      await emulator?.stop();
      emulator = undefined;
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
