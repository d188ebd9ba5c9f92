import { afterEach, describe, expect, it } from 'vitest';
import { RESULT_EXPIRED_MESSAGE, createFalProvider, falAppId, falFieldErrors, mergeCatalog } from '#providers/fal';
import { TrainerRejected, TrainerUnavailable, type RemoteJob } from '#providers/provider';
import { fallbackTrainers, findTrainer } from '#domain/trainer-catalog';
import { startTrainerEmulator, type TrainerEmulator } from '#local/trainer-emulator/server';
import { createServer } from 'node:http';
import JSZip from 'jszip';
import { watchTraining } from '#support/watch-training';
import { rejection, scriptedFetch, type ScriptedAnswer } from '#support/scripted-fetch';

const SECRET = 'fal-secret-123:abc';
const provider = (answers: ScriptedAnswer[]) => {
  const stub = scriptedFetch(answers);
  return { ...stub, fal: createFalProvider({ queueUrl: 'https://queue.fal.run', apiUrl: 'https://api.fal.ai', apiKey: SECRET, fetch: stub.fetch }) };
};

const portrait = findTrainer(fallbackTrainers, 'fal-ai/flux-lora-portrait-trainer')!;
const job: RemoteJob = { provider: 'fal', endpoint: 'fal-ai/flux-lora-portrait-trainer', requestId: '80e732af' };
const base = 'https://queue.fal.run/fal-ai/flux-lora-portrait-trainer/requests/80e732af';
const loraFile = { url: 'https://v3b.fal.media/files/b/x/pytorch_lora_weights.safetensors', content_type: 'application/octet-stream', file_name: 'pytorch_lora_weights.safetensors', file_size: 89745224 };

describe('submitting to fal', () => {
  it('posts the mapped input to the endpoint with the key and returns the request id', async () => {
    const { fal, calls } = provider([{ status: 200, body: {
      request_id: '80e732af', response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel`, status: 'IN_QUEUE', queue_position: 0,
    } }]);
    const remote = await fal.submit({ trainer: portrait, datasetUrl: 'https://s3/presigned.zip', triggerPhrase: 'ohwx', params: { steps: 2500, learningRate: 0.00009, subjectCrop: false } });
    expect(remote).toEqual(job);
    expect(calls[0]).toMatchObject({
      method: 'POST', url: 'https://queue.fal.run/fal-ai/flux-lora-portrait-trainer',
      headers: { authorization: `Key ${SECRET}`, 'content-type': 'application/json' },
      body: { images_data_url: 'https://s3/presigned.zip', trigger_phrase: 'ohwx', steps: 2500, learning_rate: 0.00009, subject_crop: false },
    });
  });

  it('turns a 422 into TrainerRejected with fal\'s field messages, without the key', async () => {
    const { fal } = provider([{ status: 422, body: { detail: [{ loc: ['body', 'images_data_url'], msg: 'field required', type: 'value_error.missing' }] } }]);
    const error = await rejection(fal.submit({ trainer: portrait, datasetUrl: '', triggerPhrase: 'x', params: {} }));
    expect(error).toBeInstanceOf(TrainerRejected);
    expect(error.message).toBe('fal refused to start the training: images_data_url: field required.');
    expect((error as TrainerRejected).code).toBe('TRAINER_INVALID_INPUT');
    expect(error.message).not.toContain(SECRET);
  });

  it('says the key was refused on 401', async () => {
    const { fal } = provider([{ status: 401, body: { detail: 'Invalid key' } }]);
    const error = await rejection(fal.submit({ trainer: portrait, datasetUrl: 'u', triggerPhrase: 'x', params: {} }));
    expect(error).toMatchObject({ name: 'TrainerRejected', code: 'TRAINER_AUTH' });
    expect(error.message).not.toContain(SECRET);
  });

  it.each([
    ['a 503', { status: 503, body: { detail: 'Runner scheduling failure', error_type: 'runner_scheduling_failure' } }],
    ['a 429', { status: 429, body: { detail: 'Too many requests' } }],
    ['a network error', new TypeError('fetch failed')],
    ['a timeout', Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })],
  ])('treats %s as TrainerUnavailable', async (_, answer) => {
    const { fal } = provider([answer as ScriptedAnswer]);
    const error = await rejection(fal.submit({ trainer: portrait, datasetUrl: 'u', triggerPhrase: 'x', params: {} }));
    expect(error).toBeInstanceOf(TrainerUnavailable);
    expect(error.message).not.toContain(SECRET);
  });
});

describe('polling fal', () => {
  it('reports a queued request with its position', async () => {
    const { fal, calls } = provider([{ status: 202, body: { status: 'IN_QUEUE', queue_position: 2, response_url: base } }]);
    expect(await fal.status(job)).toEqual({ state: 'queued', progress: { fraction: 0, queuePosition: 2, message: 'Waiting in the trainer queue (position 3).' } });
    expect(calls[0]).toMatchObject({ method: 'GET', url: `${base}/status?logs=1` });
  });

  it('reports a running request with the step from its logs', async () => {
    const { fal } = provider([{ status: 202, body: { status: 'IN_PROGRESS', response_url: base, logs: [
      { message: 'Preprocessing images...', level: 'INFO', source: 'USER', timestamp: '2024-12-20T15:37:17.120314' },
      { message: 'step 625/2500', level: 'INFO', source: 'USER', timestamp: '2024-12-20T15:38:17.120314' },
    ] } }]);
    expect(await fal.status(job)).toMatchObject({ state: 'running', progress: { fraction: 0.25, step: 625, totalSteps: 2500 } });
  });

  it('uses owner/app only in the status URL of an endpoint with a sub-path', async () => {
    const { fal, calls } = provider([{ status: 202, body: { status: 'IN_PROGRESS', logs: [] } }]);
    await fal.status({ ...job, endpoint: 'fal-ai/wan-trainer/t2v' });
    expect(calls[0]?.url).toBe('https://queue.fal.run/fal-ai/wan-trainer/requests/80e732af/status?logs=1');
    expect(falAppId('workflows/me/flow/sub')).toBe('workflows/me/flow');
  });

  it('calls COMPLETED a success only after the result has the LoRA file', async () => {
    const { fal, calls } = provider([
      { status: 200, body: { status: 'COMPLETED', logs: [{ message: 'step 2500/2500' }], metrics: { inference_time: 900 } } },
      { status: 200, body: { diffusers_lora_file: loraFile, config_file: { url: 'https://v3b.fal.media/files/b/x/config.json' } } },
    ]);
    expect(await fal.status(job)).toEqual({ state: 'completed', progress: { fraction: 1, step: 2500, totalSteps: 2500, message: 'Training finished.' }, logs: [{ message: 'step 2500/2500' }] });
    expect(calls[1]).toMatchObject({ method: 'GET', url: base });
  });

  it('reports a COMPLETED request whose result is an error as failed, with fal\'s message', async () => {
    const { fal } = provider([
      { status: 200, body: { status: 'COMPLETED', logs: [] } },
      { status: 422, body: { detail: [{ loc: ['body', 'images_data_url'], msg: 'Could not download the file', type: 'file_download_error' }] } },
    ]);
    expect(await fal.status(job)).toMatchObject({
      state: 'failed', error: {
        code: 'TRAINER_INVALID_INPUT',
        message: 'The trainer failed: images_data_url: Could not download the file. The trainer could not download the dataset; start the job again, and if it keeps failing upload the dataset again.',
      },
    });
  });

  it('reports a crashed runner as failed, and a cancelled request as cancelled', async () => {
    const crashed = provider([
      { status: 200, body: { status: 'COMPLETED' } },
      { status: 500, body: { detail: 'CUDA out of memory', error_type: 'runner_server_error' } },
    ]);
    expect(await crashed.fal.status(job)).toMatchObject({
      state: 'failed', error: { code: 'RUNNER_SERVER_ERROR', message: 'The trainer failed: The trainer crashed during the training (CUDA out of memory).' },
    });
    const cancelled = provider([
      { status: 200, body: { status: 'COMPLETED' } },
      { status: 499, body: { detail: 'cancelled', error_type: 'client_cancelled' } },
    ]);
    expect(await cancelled.fal.status(job)).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
  });

  it('retries later when the result call itself fails in transit', async () => {
    const { fal } = provider([{ status: 200, body: { status: 'COMPLETED' } }, { status: 502 }]);
    expect(await rejection(fal.status(job))).toBeInstanceOf(TrainerUnavailable);
  });

  it('rejects a request fal does not know', async () => {
    const { fal } = provider([{ status: 404, body: { detail: 'Request not found' } }]);
    expect(await rejection(fal.status(job))).toMatchObject({ name: 'TrainerRejected', code: 'TRAINER_NOT_FOUND' });
  });
});

describe('cancelling and collecting at fal', () => {
  it.each([
    [{ status: 202, body: { status: 'CANCELLATION_REQUESTED' } }, 'requested'],
    [{ status: 400, body: { status: 'ALREADY_COMPLETED' } }, 'already-completed'],
    [{ status: 404, body: { status: 'NOT_FOUND' } }, 'not-found'],
  ] as const)('maps %j to %s', async (answer, outcome) => {
    const { fal, calls } = provider([answer]);
    expect(await fal.cancel(job)).toBe(outcome);
    expect(calls[0]).toMatchObject({ method: 'PUT', url: `${base}/cancel` });
  });

  it('returns where the LoRA and every other file can be fetched from, for each output shape', async () => {
    const config = { url: 'https://v3b.fal.media/files/b/x/config.json', content_type: 'application/json', file_name: 'config.json', file_size: 412 };
    expect(await provider([{ status: 200, body: { diffusers_lora_file: loraFile, config_file: config } }]).fal.result(job)).toEqual({
      loraUrl: loraFile.url, fileName: 'pytorch_lora_weights.safetensors', sizeBytes: 89745224, contentType: 'application/octet-stream',
      others: [{ field: 'config_file', url: config.url, name: 'config.json', role: 'config', sizeBytes: 412, contentType: 'application/json' }],
    });
    const wan = { ...job, endpoint: 'fal-ai/wan-trainer' };
    expect(await provider([{ status: 200, body: { lora_file: { url: 'https://cdn/files/a/wan_lora.safetensors' }, config_file: { url: 'https://cdn/files/a/cfg' } } }]).fal.result(wan)).toEqual({
      loraUrl: 'https://cdn/files/a/wan_lora.safetensors', fileName: 'wan_lora.safetensors',
      others: [{ field: 'config_file', url: 'https://cdn/files/a/cfg', name: 'cfg', role: 'config' }],
    });
    const wan22 = { ...job, endpoint: 'fal-ai/wan-22-image-trainer' };
    const highNoise = { url: 'https://v3b.fal.media/files/b/y/high_noise_lora.safetensors', file_name: 'high_noise_lora.safetensors', file_size: 7 };
    const both = await provider([{ status: 200, body: { diffusers_lora_file: loraFile, high_noise_lora: highNoise, config_file: config } }]).fal.result(wan22);
    expect(both.others?.map(({ role, name, sizeBytes }) => ({ role, name, sizeBytes }))).toEqual([
      { role: 'config', name: 'config.json', sizeBytes: 412 }, { role: 'lora-high-noise', name: 'high_noise_lora.safetensors', sizeBytes: 7 },
    ]);
  });

  it('rejects a result without a LoRA file', async () => {
    expect(await rejection(provider([{ status: 200, body: { config_file: { url: 'c' } } }]).fal.result(job))).toMatchObject({ code: 'NO_LORA_FILE' });
  });
});

describe('fal errors decide retry or failure', () => {
  const submit = (fal: ReturnType<typeof provider>['fal']) => fal.submit({ trainer: portrait, datasetUrl: 'u', triggerPhrase: 'x', params: {} });

  it.each([
    ['runner_scheduling_failure', 503, 'fal could not find a free GPU machine for the training'],
    ['startup_timeout', 504, 'did not start in time'],
    ['runner_disconnected', 503, 'disconnected'],
  ])('retries %s (HTTP %i) and says what happened', async (type, status, words) => {
    const { fal } = provider([{ status, body: { detail: 'x', error_type: type }, headers: { 'x-fal-error-type': type } }]);
    const error = await rejection(submit(fal));
    expect(error).toBeInstanceOf(TrainerUnavailable);
    expect(error.message).toContain(words);
  });

  it('reads the error type from the header when the body has none', async () => {
    const { fal } = provider([{ status: 400, body: { detail: 'Bad input' }, headers: { 'x-fal-error-type': 'bad_request' } }]);
    expect(await rejection(submit(fal))).toMatchObject({ name: 'TrainerRejected', code: 'BAD_REQUEST', message: 'fal refused to start the training: fal refused the request as malformed (Bad input).' });
  });

  it('lets X-Fal-Retryable overrule the HTTP status both ways', async () => {
    const retry = provider([{ status: 422, body: { detail: [{ loc: ['body', 'steps'], msg: 'busy', type: 'x' }] }, headers: { 'x-fal-retryable': 'true' } }]);
    expect(await rejection(submit(retry.fal))).toBeInstanceOf(TrainerUnavailable);
    const final = provider([{ status: 503, body: { detail: 'This model cannot run that input' }, headers: { 'x-fal-retryable': 'false' } }]);
    expect(await rejection(submit(final.fal))).toMatchObject({ name: 'TrainerRejected', message: 'fal refused to start the training: This model cannot run that input.' });
  });

  it('answers a 422 field by field, with advice for an image that is too large', async () => {
    const { fal } = provider([{ status: 422, body: { detail: [
      { loc: ['body', 'images_data_url'], msg: 'Image photo-03.png is 12000x9000, over the limit', type: 'image_too_large' },
      { loc: ['body', 'steps'], msg: 'Input should be less than or equal to 10000', type: 'less_than_equal' },
    ] } }]);
    const error = await rejection(submit(fal));
    expect(error).toMatchObject({ name: 'TrainerRejected', code: 'TRAINER_INVALID_INPUT' });
    expect(error.message).toBe('fal refused to start the training: images_data_url: Image photo-03.png is 12000x9000, over the limit; '
      + 'steps: Input should be less than or equal to 10000. Make the images smaller (fewer pixels or a smaller file) and upload the dataset again.');
    expect(falFieldErrors({ detail: [{ loc: ['body', 'steps'], msg: 'too many' }] })).toEqual([{ field: 'steps', message: 'too many' }]);
  });

  it('fails a completed training whose runner could not be scheduled, saying so, and suggests starting again when fal says it may work', async () => {
    const { fal } = provider([
      { status: 200, body: { status: 'COMPLETED' } },
      { status: 503, body: { detail: 'No runner available', error_type: 'runner_scheduling_failure' }, headers: { 'x-fal-retryable': 'true' } },
    ]);
    expect(await fal.status(job)).toMatchObject({ state: 'failed', error: {
      code: 'RUNNER_SCHEDULING_FAILURE',
      message: 'The trainer failed: fal could not find a free GPU machine for the training (No runner available). Starting the job again may work.',
    } });
  });
});

describe('fal results expire', () => {
  it.each([404, 410])('fails, without retry, a completed training whose result answers %i', async (status) => {
    const { fal } = provider([{ status: 200, body: { status: 'COMPLETED' } }, { status, body: { detail: 'Request not found' } }]);
    expect(await fal.status(job)).toMatchObject({ state: 'failed', error: { code: 'RESULT_EXPIRED', message: RESULT_EXPIRED_MESSAGE } });
    const collect = provider([{ status, body: { detail: 'Request not found' } }]);
    const error = await rejection(collect.fal.result(job));
    expect(error).toMatchObject({ name: 'TrainerRejected', code: 'RESULT_EXPIRED' });
    expect(error.message).toMatch(/^The trainer's result expired before it was collected/);
  });
});

describe('malformed fal answers', () => {
  const raw = (status: number, text: string) => {
    const fetch: typeof globalThis.fetch = async () => new Response(text, { status });
    return createFalProvider({ queueUrl: 'https://queue.fal.run', apiUrl: 'https://api.fal.ai', apiKey: SECRET, fetch });
  };

  it('retries a status answer that is not JSON or has no status', async () => {
    expect(await rejection(raw(200, '<html>Bad gateway</html>').status(job))).toBeInstanceOf(TrainerUnavailable);
    expect(await rejection(raw(202, '{"queue_position": 1}').status(job))).toBeInstanceOf(TrainerUnavailable);
  });

  it('retries a result that is not JSON, and fails one that is JSON without a LoRA', async () => {
    expect(await rejection(raw(200, '{"diffusers_lora_file": {"url": ').result(job))).toBeInstanceOf(TrainerUnavailable);
    expect(await rejection(raw(200, '{}').result(job))).toMatchObject({ name: 'TrainerRejected', code: 'NO_LORA_FILE' });
  });

  it('retries a submit answer without a request id', async () => {
    expect(await rejection(raw(200, '{"status": "IN_QUEUE"}').submit({ trainer: portrait, datasetUrl: 'u', triggerPhrase: 'x', params: {} })))
      .toBeInstanceOf(TrainerUnavailable);
  });
});

describe('listing fal trainers', () => {
  const model = (endpoint_id: string, display_name: string, category = 'training') => ({
    endpoint_id, metadata: { display_name, category, description: `${display_name} from fal`, status: 'active' },
  });

  it('merges provider metadata with the built-in entries and follows pages', async () => {
    const { fal, calls } = provider([
      { status: 200, body: { models: [model('fal-ai/flux-lora-portrait-trainer', 'Train Flux LoRAs For Portraits')], has_more: true, next_cursor: 'Mg==' } },
      { status: 200, body: { models: [model('fal-ai/brand-new-trainer', 'Brand New'), model('fal-ai/flux/dev', 'FLUX', 'text-to-image')], has_more: false, next_cursor: null } },
    ]);
    const trainers = await fal.listTrainers();
    expect(trainers.map((trainer) => trainer.id)).toEqual(['fal-ai/flux-lora-portrait-trainer', 'fal-ai/brand-new-trainer']);
    expect(trainers[0]).toMatchObject({ name: 'Train Flux LoRAs For Portraits', description: 'Train Flux LoRAs For Portraits from fal', params: portrait.params, dataset: portrait.dataset });
    expect(trainers[1]).toMatchObject({ name: 'Brand New', kind: 'image', params: [{ key: 'steps' }] });
    expect(calls[0]?.url).toBe('https://api.fal.ai/v1/models?category=training&status=active&limit=100');
    expect(calls[1]?.url).toContain('cursor=Mg%3D%3D');
  });

  it('fails over to the fallback (by throwing) when fal lists no trainers or cannot be reached', async () => {
    expect(await rejection(provider([{ status: 200, body: { models: [], has_more: false } }]).fal.listTrainers())).toBeInstanceOf(TrainerUnavailable);
    expect(await rejection(provider([new TypeError('fetch failed')]).fal.listTrainers())).toBeInstanceOf(TrainerUnavailable);
    expect(mergeCatalog([{ endpoint_id: 'fal-ai/x' }], fallbackTrainers)).toEqual([]);
  });
});

describe('the fal adapter against the trainer emulator', () => {
  let emulator: TrainerEmulator | undefined;
  afterEach(async () => emulator?.stop());

  it('trains, reports progress and collects a LoRA, unchanged but for the base URLs', async () => {
    const zip = await new JSZip().file('a.png', new Uint8Array([1])).generateAsync({ type: 'uint8array' });
    const files = createServer((_, res) => res.end(zip));
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    const address = files.address() as { port: number };
    try {
      emulator = await startTrainerEmulator({ port: 0, stepsPerSecond: 500 });
      const fal = createFalProvider({ queueUrl: emulator.queueUrl, apiUrl: emulator.apiUrl, apiKey: 'local' });
      const trainers = await fal.listTrainers();
      expect(trainers.map((trainer) => trainer.id)).toEqual(fallbackTrainers.filter((trainer) => trainer.provider === 'fal').map((trainer) => trainer.id));
      const trainer = findTrainer(trainers, 'fal-ai/ltx-video-trainer')!;
      const remote = await fal.submit({ trainer, datasetUrl: `http://127.0.0.1:${address.port}/set.zip`, triggerPhrase: 'ohwx', params: { steps: 200 } });
      const { status, fractions } = await watchTraining(fal, remote, 20);
      expect(status).toMatchObject({ state: 'completed', progress: { fraction: 1, step: 200, totalSteps: 200 } });
      expect(fractions.some((fraction) => fraction > 0 && fraction < 1), `fractions ${fractions}`).toBe(true);
      const output = await fal.result(remote);
      expect(output).toMatchObject({ fileName: 'lora.safetensors', sizeBytes: expect.any(Number) });
      expect((await fetch(output.loraUrl)).status).toBe(200);
      expect(await fal.cancel(remote)).toBe('already-completed');
    } finally {
      files.close();
    }
  });
});
