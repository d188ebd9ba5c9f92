// The trainer emulator driven by the providers' own clients, @fal-ai/client and replicate, so that what it
// answers is checked by code nobody here wrote. The clients are pointed at the emulator (fal through its request
// middleware, Replicate through its baseUrl) and given a fetch that fails the test for any request that would
// leave 127.0.0.1, so the real hosts are never reached.
import { createServer, type Server } from 'node:http';
import { ApiError, createFalClient, ValidationError, type FalClient, type QueueStatus } from '@fal-ai/client';
import JSZip from 'jszip';
import Replicate, { type Training } from 'replicate';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTrainerEmulator, type TrainerEmulator } from '#local/trainer-emulator/server';
import { until } from '#support/poll';

const realFetch = globalThis.fetch;
/** Every request that was about to leave loopback; the test fails if there is any. */
const escaped: string[] = [];
const loopbackFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== '127.0.0.1') {
    escaped.push(url.href);
    return Promise.reject(new Error(`A client tried to reach ${url.href}; only 127.0.0.1 is allowed here.`));
  }
  return realFetch(input, init);
};

let files: Server;
let datasetUrl: string;

beforeAll(async () => {
  const zip = new JSZip();
  zip.file('photo-01.png', new Uint8Array([137, 80, 78, 71]));
  zip.file('photo-01.txt', 'a photo of [trigger]');
  const body = await zip.generateAsync({ type: 'uint8array' });
  files = createServer((req, res) => (req.url === '/set.zip' ? res.writeHead(200).end(body) : res.writeHead(404).end()));
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  const address = files.address();
  datasetUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/set.zip`;
});

afterAll(async () => {
  await new Promise((resolve) => files.close(resolve));
});

let emulator: TrainerEmulator;
let fal: FalClient;
let replicate: Replicate;

beforeEach(async () => {
  escaped.length = 0;
  // Anything reaching for the global fetch is held to loopback too.
  vi.stubGlobal('fetch', loopbackFetch);
  // The emulator accepts only these keys, as fal and Replicate accept only yours: each client must send its own.
  emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 1000, keys: { fal: 'test-key', replicate: 'r8_test' } });
  fal = createFalClient({
    credentials: 'test-key',
    fetch: loopbackFetch,
    requestMiddleware: async (request) => ({ ...request, url: request.url.replace(/^https:\/\/queue\.fal\.run\//, `${emulator.queueUrl}/`) }),
  });
  replicate = new Replicate({ auth: 'r8_test', baseUrl: emulator.replicateUrl, fetch: loopbackFetch });
});

afterEach(async () => {
  await emulator.stop();
  vi.unstubAllGlobals();
  expect(escaped).toEqual([]);
});

const FAST = 'fal-ai/flux-lora-fast-training';
const rejection = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a rejection'); }, (error: unknown) => error);

describe('the fal emulator, through @fal-ai/client', () => {
  it('trains with fal.subscribe (status polled), reporting progress, and hands back the LoRA', async () => {
    const updates: QueueStatus[] = [];
    const result = await fal.subscribe(FAST, {
      input: { images_data_url: datasetUrl, trigger_word: 'ohwx', steps: 200 }, logs: true, pollInterval: 20,
      onQueueUpdate: (update) => updates.push(update),
    });
    expect(result.requestId).toBe(emulator.requests()[0]!.requestId);
    expect(updates.at(-1)).toMatchObject({ status: 'COMPLETED', request_id: result.requestId });
    expect(updates.some((update) => update.status === 'IN_PROGRESS')).toBe(true);
    const lora = (result.data as { diffusers_lora_file: { url: string; file_size: number } }).diffusers_lora_file;
    const bytes = await (await loopbackFetch(lora.url)).arrayBuffer();
    expect(bytes.byteLength).toBe(lora.file_size);
  });

  it('streams the status as server-sent events (mode "streaming") until COMPLETED, with the logs added up', async () => {
    const { request_id: requestId } = await fal.queue.submit(FAST, { input: { images_data_url: datasetUrl, steps: 300 } });
    const updates: QueueStatus[] = [];
    const done = await fal.queue.subscribeToStatus(FAST, { requestId, mode: 'streaming', logs: true, onQueueUpdate: (update) => updates.push(update) });
    expect(done).toMatchObject({ status: 'COMPLETED', request_id: requestId });
    expect(updates.filter((update) => update.status === 'IN_PROGRESS').length).toBeGreaterThan(1);
    const logs = (updates.at(-1) as { logs: { message: string }[] }).logs.map((line) => line.message);
    expect(logs).toContain('step 300/300');
    expect(new Set(logs).size).toBe(logs.length);
    const { data } = await fal.queue.result(FAST, { requestId });
    expect(data).toMatchObject({ diffusers_lora_file: { file_name: 'pytorch_lora_weights.safetensors' } });

    // The stream of a finished request is its one COMPLETED event.
    const stream = await fal.queue.streamStatus(FAST, { requestId });
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    expect(events).toEqual([expect.objectContaining({ status: 'COMPLETED' })]);
  });

  it('streams a queued request\'s position as the requests ahead of it go', async () => {
    await emulator.stop();
    emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 1000, concurrency: 1 });
    const QWEN = 'fal-ai/qwen-image-trainer';
    const submit = async () => (await fal.queue.submit(QWEN, { input: { image_data_url: datasetUrl, steps: 100_000 } })).request_id;
    const [first, second, third] = [await submit(), await submit(), await submit()];
    await until('the first to start', async () => emulator.requests()[0]!.status, (status) => status === 'IN_PROGRESS');
    const positions: number[] = [];
    let reachedFront!: () => void;
    const atFront = new Promise<void>((resolve) => { reachedFront = resolve; });
    const watching = fal.queue.subscribeToStatus(QWEN, {
      requestId: third, mode: 'streaming',
      onQueueUpdate: (update) => {
        if (update.status !== 'IN_QUEUE') return;
        positions.push(update.queue_position);
        if (update.queue_position === 0) reachedFront();
      },
    });
    await until('the first event', async () => positions.length, (count) => count > 0);
    await fal.queue.cancel(QWEN, { requestId: second });
    await atFront;
    expect(positions).toEqual([1, 0]);
    await fal.queue.cancel(QWEN, { requestId: third });
    expect(await watching).toMatchObject({ status: 'COMPLETED' });
    await fal.queue.cancel(QWEN, { requestId: first });
  });

  it('refuses at submit (422) an input missing a required field, as the client\'s ValidationError, and queues nothing', async () => {
    // A plain string, as the typed endpoint would not let the input lack its required fields.
    const endpoint: string = 'fal-ai/wan-22-image-trainer';
    const error = await rejection(fal.queue.submit(endpoint, { input: { steps: 10 } }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(422);
    expect((error as ValidationError).fieldErrors).toEqual([
      expect.objectContaining({ loc: ['body', 'training_data_url'], type: 'missing' }),
      expect.objectContaining({ loc: ['body', 'trigger_phrase'], type: 'missing' }),
    ]);
    expect(emulator.requests()).toEqual([]);
  });

  it('cancels a running request: the stream then ends COMPLETED and the result is an ApiError 499', async () => {
    const { request_id: requestId } = await fal.queue.submit('fal-ai/wan-trainer', { input: { training_data_url: datasetUrl, number_of_steps: 100_000 } });
    const updates: QueueStatus[] = [];
    const watching = fal.queue.subscribeToStatus('fal-ai/wan-trainer', { requestId, mode: 'streaming', onQueueUpdate: (update) => updates.push(update) });
    await until('training to start', async () => emulator.requests()[0]!.status, (status) => status === 'IN_PROGRESS');
    await fal.queue.cancel('fal-ai/wan-trainer', { requestId });
    expect(await watching).toMatchObject({ status: 'COMPLETED' });
    const error = await rejection(fal.queue.result('fal-ai/wan-trainer', { requestId }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 499, body: { error_type: 'client_cancelled' } });
    expect(await rejection(fal.queue.cancel('fal-ai/wan-trainer', { requestId }))).toMatchObject({ status: 400, body: { status: 'ALREADY_COMPLETED' } });
  });
});

describe('the loopback guard', () => {
  it('stops a client that is not pointed at the emulator before it reaches the real host', async () => {
    const unpointed = createFalClient({ credentials: 'test-key', fetch: loopbackFetch });
    const error = await rejection(unpointed.queue.status(FAST, { requestId: 'r1' }));
    expect(String(error)).toMatch(/only 127\.0\.0\.1 is allowed/);
    expect(escaped).toEqual([`https://queue.fal.run/${FAST}/requests/r1/status?logs=0`]);
    escaped.length = 0;
  });
});

describe('the Replicate emulator, through the replicate package', () => {
  const [owner, name] = ['ostris', 'flux-dev-lora-trainer'];

  it('gives the account, the trainer model and its version with the schema of its inputs', async () => {
    expect(await replicate.accounts.current()).toMatchObject({ type: 'user', username: expect.any(String) });
    const model = await replicate.models.get(owner, name);
    const version = await replicate.models.versions.get(owner, name, model.latest_version!.id);
    expect(version).toMatchObject({ id: model.latest_version!.id, created_at: expect.any(String) });
    const schema = (version.openapi_schema as { components: { schemas: { TrainingInput: { required: string[]; properties: Record<string, unknown> } } } }).components.schemas.TrainingInput;
    expect(schema.required).toEqual(['input_images']);
    expect(schema.properties.steps).toMatchObject({ type: 'integer', minimum: 3, maximum: 6000 });
    expect((await replicate.models.versions.list(owner, name)).results).toEqual([version]);
    const missing = await rejection(replicate.models.versions.get(owner, name, 'f'.repeat(64)));
    expect((missing as { response: Response }).response.status).toBe(404);
  });

  it('creates a training, gets it while it runs, cancels it, and lists it', async () => {
    const version = (await replicate.models.get(owner, name)).latest_version!.id;
    const created = await replicate.trainings.create(owner, name, version, { destination: 'me/my-lora', input: { input_images: datasetUrl, steps: 6000 } });
    expect(created).toMatchObject({ status: 'starting', model: `${owner}/${name}`, version });
    const running = await until('processing', () => replicate.trainings.get(created.id), (training) => training.status === 'processing');
    expect(running.logs).toMatch(/Training started/);
    const cancelled = await replicate.trainings.cancel(created.id);
    expect(cancelled.id).toBe(created.id);
    expect((await until('the cancel to land', () => replicate.trainings.get(created.id), (training) => training.status === 'canceled')).completed_at).toEqual(expect.any(String));

    const page = await replicate.trainings.list();
    expect(page).toMatchObject({ previous: null, next: null });
    expect(page.results.map((training) => training.id)).toEqual([created.id]);
  });

  it('lists trainings newest first, a page at a time, through the next links', async () => {
    const version = (await replicate.models.get(owner, name)).latest_version!.id;
    const ids: string[] = [];
    for (let i = 0; i < 101; i++) {
      ids.push((await replicate.trainings.create(owner, name, version, { destination: 'me/my-lora', input: { input_images: 'not a url' } })).id);
    }
    const pages: Training[][] = [];
    for await (const page of replicate.paginate(() => replicate.trainings.list())) pages.push(page);
    expect(pages.map((page) => page.length)).toEqual([100, 1]);
    expect(pages.flat().map((training) => training.id)).toEqual(ids.reverse());
  });

  it('refuses at create (422) a training without input_images, as the client\'s ApiError, creating nothing', async () => {
    const version = (await replicate.models.get(owner, name)).latest_version!.id;
    const error = await rejection(replicate.trainings.create(owner, name, version, { destination: 'me/my-lora', input: { steps: 100 } }));
    expect(error).toMatchObject({ name: 'ApiError', message: expect.stringContaining('input_images is required') });
    expect((error as { response: Response }).response.status).toBe(422);
    expect(emulator.requests()).toEqual([]);
  });
});
