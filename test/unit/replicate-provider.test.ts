import { describe, expect, it } from 'vitest';
import { fallbackTrainers, findTrainer } from '#domain/trainer-catalog';
import { TrainerRejected, TrainerUnavailable, type RemoteJob } from '#providers/provider';
import { createReplicateProvider, replicateErrorMessage } from '#providers/replicate';
import { rejection, scriptedFetch, type ScriptedAnswer } from '#support/scripted-fetch';

const TOKEN = 'r8_secretTOKEN123';
const API = 'https://api.replicate.com/v1';
const VERSION = 'e440909d3512c31646ee2e0c7d6f6f4923224863a6a10c494606e79fb5844497';

function provider(answers: ScriptedAnswer[], options: { destination?: string } = { destination: 'me/my-loras' }) {
  const { fetch, calls } = scriptedFetch(answers);
  return { calls, replicate: createReplicateProvider({ apiUrl: API, apiToken: TOKEN, fetch, ...options }) };
}

const trainer = findTrainer(fallbackTrainers, 'replicate/ostris/flux-dev-lora-trainer')!;
const job: RemoteJob = { provider: 'replicate', endpoint: trainer.id, requestId: 'zz4ibbonubfz7carwiefibzgga' };
const urls = {
  web: 'https://replicate.com/p/zz4ibbonubfz7carwiefibzgga',
  get: 'https://api.replicate.com/v1/trainings/zz4ibbonubfz7carwiefibzgga',
  cancel: 'https://api.replicate.com/v1/trainings/zz4ibbonubfz7carwiefibzgga/cancel',
};
// Shapes from replicate-python-beta resources/trainings.py (the Training object and its status values).
const training = (status: string, extra: Record<string, unknown> = {}) => ({
  id: job.requestId, model: 'ostris/flux-dev-lora-trainer', version: VERSION, input: { input_images: 'https://s3/set.zip' },
  logs: '', error: null, status, created_at: '2023-09-08T16:32:56.990893084Z', urls, ...extra,
});
const model = { owner: 'ostris', name: 'flux-dev-lora-trainer', latest_version: { id: VERSION } };
const request = { trainer, datasetUrl: 'https://s3/set.zip', triggerPhrase: 'ohwx', params: { steps: 1000, learningRate: 0.0004, rank: 16, autoCaption: true } };

describe('starting a Replicate training', () => {
  it('creates the training on the trainer\'s latest version with the destination and mapped input, with the token', async () => {
    const { replicate, calls } = provider([{ status: 200, body: model }, { status: 201, body: training('starting') }]);
    expect(await replicate.submit(request)).toEqual(job);
    expect(calls[0]).toMatchObject({ method: 'GET', url: `${API}/models/ostris/flux-dev-lora-trainer`, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(calls[1]).toMatchObject({
      method: 'POST', url: `${API}/models/ostris/flux-dev-lora-trainer/versions/${VERSION}/trainings`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: { destination: 'me/my-loras', input: { input_images: 'https://s3/set.zip', trigger_word: 'ohwx', steps: 1000, learning_rate: 0.0004, lora_rank: 16, autocaption: true } },
    });
  });

  it('looks the version up once', async () => {
    const { replicate, calls } = provider([{ status: 200, body: model }, { status: 201, body: training('starting') }, { status: 201, body: training('starting') }]);
    await replicate.submit(request);
    await replicate.submit(request);
    expect(calls.map((call) => call.method)).toEqual(['GET', 'POST', 'POST']);
  });

  it('says what to configure when there is no destination model', async () => {
    const { replicate, calls } = provider([], {});
    const error = await rejection(replicate.submit(request));
    expect(error).toMatchObject({ name: 'TrainerRejected', code: 'TRAINER_CONFIG' });
    expect(error.message).toMatch(/REPLICATE_DESTINATION/);
    expect(calls).toEqual([]);
  });

  it('answers a 422 field by field, a bad destination with Replicate\'s words, and a bad token as such', async () => {
    const invalid = provider([{ status: 200, body: model }, { status: 422, body: {
      title: 'Input validation failed', status: 422,
      invalid_fields: [{ type: 'greater_than_equal', field: 'input.steps', description: 'Must be greater than or equal to 3' }],
    } }]);
    expect(await rejection(invalid.replicate.submit(request))).toMatchObject({
      name: 'TrainerRejected', code: 'TRAINER_INVALID_INPUT', message: 'Replicate refused to start the training: input.steps: Must be greater than or equal to 3.',
    });
    const destination = provider([{ status: 200, body: model }, { status: 404, body: { title: 'Not found', detail: 'The specified training destination does not exist', status: 404 } }]);
    expect((await rejection(destination.replicate.submit(request))).message).toContain('The specified training destination does not exist');
    const auth = provider([{ status: 401, body: { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 } }]);
    const error = await rejection(auth.replicate.submit(request));
    expect(error).toMatchObject({ name: 'TrainerRejected', code: 'TRAINER_AUTH' });
    expect(error.message).not.toContain(TOKEN);
    const fetch: typeof globalThis.fetch = async () => new Response(JSON.stringify({ title: 'Unauthenticated', status: 401 }), { status: 401 });
    const anonymous = createReplicateProvider({ apiUrl: API, destination: 'me/x', fetch });
    expect(await rejection(anonymous.submit(request))).toMatchObject({ code: 'TRAINER_AUTH', message: expect.stringMatching(/No Replicate API token is configured/) });
  });

  it.each([
    ['a 429', { status: 429, body: { title: 'Too Many Requests', detail: 'Request was throttled.', status: 429 } }],
    ['a 503', { status: 503, body: { detail: 'Service unavailable' } }],
    ['a network error', new TypeError('fetch failed')],
    ['a timeout', Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })],
  ])('retries %s', async (_, answer) => {
    const { replicate } = provider([{ status: 200, body: model }, answer as ScriptedAnswer]);
    const error = await rejection(replicate.submit(request));
    expect(error).toBeInstanceOf(TrainerUnavailable);
    expect(error.message).not.toContain(TOKEN);
  });

  it('retries an answer that is not a training', async () => {
    const { replicate } = provider([{ status: 200, body: model }, { status: 201, body: { status: 'starting' } }]);
    expect(await rejection(replicate.submit(request))).toBeInstanceOf(TrainerUnavailable);
  });
});

describe('polling a Replicate training', () => {
  const tqdm = (step: number, total: number) =>
    `flux_train_replicate:  ${Math.floor((step / total) * 100)}%|####      | ${step}/${total} [00:10<00:30, 45.00it/s, lr: 4.0e-04 loss: 3.1e-01]`;

  it('reports starting as queued', async () => {
    const { replicate, calls } = provider([{ status: 200, body: training('starting') }]);
    expect(await replicate.status(job)).toEqual({ state: 'queued', progress: { fraction: 0, message: 'Starting the trainer\'s machine.' } });
    expect(calls[0]).toMatchObject({ method: 'GET', url: `${API}/trainings/${job.requestId}` });
  });

  it('reads the step from the flux trainer\'s progress bar, even redrawn with carriage returns', async () => {
    const logs = `Captioning: 100%|##########| 12/12 [00:20<00:00]\nStarting training\r${tqdm(200, 1000)}\r${tqdm(450, 1000)}`;
    const { replicate } = provider([{ status: 200, body: training('processing', { logs }) }]);
    expect(await replicate.status(job)).toEqual({
      state: 'running', progress: { fraction: 0.45, step: 450, totalSteps: 1000, etaSeconds: 30, message: 'Training: step 450 of 1000.' },
      // The log's lines, a redrawn bar as its last drawing.
      logs: [{ message: 'Captioning: 100%|##########| 12/12 [00:20<00:00]' }, { message: tqdm(450, 1000) }],
    });
  });

  it('reports succeeded with weights as completed, and without weights as failed', async () => {
    const done = training('succeeded', { logs: tqdm(1000, 1000), output: { version: `me/my-loras:${VERSION}`, weights: 'https://replicate.delivery/xezq/abc/trained_model.tar' } });
    expect(await provider([{ status: 200, body: done }]).replicate.status(job)).toEqual({
      state: 'completed', progress: { fraction: 1, step: 1000, totalSteps: 1000, message: 'Training finished.' }, logs: [{ message: tqdm(1000, 1000) }],
    });
    expect(await provider([{ status: 200, body: training('succeeded', { output: null }) }]).replicate.status(job)).toMatchObject({
      state: 'failed', error: { code: 'NO_LORA_FILE' },
    });
  });

  it('reports failed with Replicate\'s error, and canceled as cancelled', async () => {
    const failed = training('failed', { error: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
    expect(await provider([{ status: 200, body: failed }]).replicate.status(job)).toMatchObject({
      state: 'failed', error: { code: 'TRAINING_FAILED', message: 'The trainer failed: CUDA out of memory. Tried to allocate 2.00 GiB.' },
    });
    expect(await provider([{ status: 200, body: training('canceled') }]).replicate.status(job)).toMatchObject({ state: 'cancelled' });
  });

  it('fails a training Replicate does not know, and retries a malformed answer', async () => {
    expect(await rejection(provider([{ status: 404, body: { detail: 'Not found.' } }]).replicate.status(job))).toMatchObject({ code: 'TRAINER_NOT_FOUND' });
    expect(await rejection(provider([{ status: 200, body: { hello: 1 } }]).replicate.status(job))).toBeInstanceOf(TrainerUnavailable);
  });
});

describe('cancelling and collecting at Replicate', () => {
  it.each([
    ['canceled', 'cancelled'],
    ['processing', 'requested'],
    ['succeeded', 'already-completed'],
    ['failed', 'already-completed'],
  ] as const)('maps a cancel answered with %s to %s', async (status, outcome) => {
    const { replicate, calls } = provider([{ status: 200, body: training(status) }]);
    expect(await replicate.cancel(job)).toBe(outcome);
    expect(calls[0]).toMatchObject({ method: 'POST', url: `${API}/trainings/${job.requestId}/cancel` });
  });

  it('says not-found for an unknown training', async () => {
    expect(await provider([{ status: 404, body: { detail: 'Not found.' } }]).replicate.cancel(job)).toBe('not-found');
  });

  it('gives the weights archive and the member to unpack', async () => {
    const done = training('succeeded', { output: { version: 'v', weights: 'https://replicate.delivery/xezq/abc/trained_model.tar' } });
    expect(await provider([{ status: 200, body: done }]).replicate.result(job)).toEqual({
      loraUrl: 'https://replicate.delivery/xezq/abc/trained_model.tar', fileName: 'lora.safetensors', archive: { format: 'tar', member: 'lora.safetensors' },
    });
    const plain = training('succeeded', { output: { weights: 'https://cdn/x/lora.safetensors' } });
    expect(await provider([{ status: 200, body: plain }]).replicate.result(job)).toEqual({ loraUrl: 'https://cdn/x/lora.safetensors', fileName: 'lora.safetensors' });
  });

  it('refuses to collect a failed or cancelled training, and waits for an unfinished one', async () => {
    expect(await rejection(provider([{ status: 200, body: training('failed', { error: 'boom' }) }]).replicate.result(job))).toBeInstanceOf(TrainerRejected);
    expect(await rejection(provider([{ status: 200, body: training('canceled') }]).replicate.result(job))).toMatchObject({ code: 'CANCELLED' });
    expect(await rejection(provider([{ status: 200, body: training('processing') }]).replicate.result(job))).toBeInstanceOf(TrainerUnavailable);
  });

  it('lists its built-in trainers without a call', async () => {
    const { replicate, calls } = provider([]);
    expect((await replicate.listTrainers()).map((entry) => entry.id)).toEqual(['replicate/ostris/flux-dev-lora-trainer']);
    expect(calls).toEqual([]);
    expect(replicateErrorMessage({ title: 'Bad' }, 400)).toBe('Bad');
  });
});
