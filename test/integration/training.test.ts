import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSafetensors, parseSafetensorsHeader } from '#domain/safetensors';
import type { Adapter, ErrorBody, Job, Trainer } from '#domain/schemas';
import { makeDatasetZip } from '#support/dataset-zip';
import { EmulatorClient } from '#support/emulator-client';
import { LoraworksClient, postForm } from '#support/local-cloud-client';
import { eventually } from '#support/poll';
import { useCloudSession } from '#support/cloud-session';

/** Signed in as alice. */
const session = useCloudSession('it', { stepsPerSecond: 200 });
let trainer: Trainer;

beforeAll(async () => {
  const { trainers } = await session.client.expect<{ trainers: Trainer[] }>(200, 'GET', '/trainers');
  trainer = trainers.find((t) => t.id === 'fal-ai/flux-lora-fast-training')!;
});

async function readyDataset() {
  const { dataset, version } = await session.client.uploadDataset(await makeDatasetZip({ images: 4, size: 64 }));
  const ready = await session.feed.datasetVersion(dataset.id, version, ['READY', 'INVALID']);
  expect(ready.status, JSON.stringify(ready.report)).toBe('READY');
  return { dataset, version, ready };
}

async function startJob(datasetId: string, steps: number): Promise<Job> {
  return session.client.expect<Job>(201, 'POST', '/jobs', { trainerId: trainer.id, datasetId, triggerPhrase: 'ohwx cat', params: { steps } });
}

/** A GET with a Host header of the caller's choosing (fetch sets its own). */
function rawGet(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

describe('health and trainers', () => {
  it('answers /health without a token', async () => {
    const res = await fetch(`${session.cloud.apiUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('lists the emulator trainers with their parameters', async () => {
    const list = await session.client.expect<{ source: string; trainers: Trainer[] }>(200, 'GET', '/trainers');
    expect(list.source).toBe('provider');
    expect(trainer).toBeDefined();
    expect(trainer.params.find((p) => p.key === 'steps')).toMatchObject({ type: 'integer', group: 'core' });
  });

  it('publishes its OpenAPI document, generated from the schemas', async () => {
    const res = await fetch(`${session.cloud.apiUrl}/openapi.json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/jobs', '/jobs/{jobId}/cancel', '/datasets/{datasetId}/uploads', '/trainers']));
    expect(document.components.schemas.Job).toMatchObject({ properties: expect.objectContaining({ status: expect.objectContaining({ enum: expect.arrayContaining(['QUEUED', 'CANCELLING']) }) }) });
  });

  it('answers /__local/info only to this machine', async () => {
    const port = new URL(session.cloud.url).port;
    const local = await fetch(`http://127.0.0.1:${port}/__local/info`);
    expect(local.status).toBe(200);
    expect(await local.json()).toMatchObject({ emulatorUrl: session.cloud.emulatorUrl });
    // A page whose own name resolves to 127.0.0.1 (DNS rebinding) asks with its name as the Host.
    const rebound = await rawGet(Number(port), '/__local/info', 'attacker.example');
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'FORBIDDEN', message: expect.stringMatching(/only on this machine/) } });
    expect(rebound.body).not.toContain(session.cloud.emulatorUrl);
  });

  it('refuses a request without a token (401) or with one the authorizer refuses (403)', async () => {
    expect((await fetch(`${session.cloud.apiUrl}/jobs`)).status).toBe(401);
    const res = await fetch(`${session.cloud.apiUrl}/jobs`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(res.status).toBe(403);
  });
});

describe('a LoRA job end to end', () => {
  it('validates the upload, trains with rising progress, completes and serves a safetensors LoRA', async () => {
    const { dataset, version, ready } = await readyDataset();
    expect(ready.report).toMatchObject({ images: 4, captions: 4, pairs: 4 });
    expect(ready.sha256).toMatch(/^[0-9a-f]{64}$/);

    // 3000 steps at 200 steps/s train for 15 s: polls 1 to 3 s apart see it part-way even on a loaded machine
    // (at 600 steps a poll delayed past 3 s once saw only 0 and then 1).
    const job = await startJob(dataset.id, 3000);
    expect(job).toMatchObject({ status: 'QUEUED', datasetVersion: version, triggerPhrase: 'ohwx cat' });
    await session.feed.job(job.id, 'RUNNING');
    const done = await session.feed.job(job.id, 'COMPLETED', 90_000);

    const fractions = session.feed.jobMessages(job.id).map((j) => j.progress.fraction);
    expect(fractions.filter((f) => f > 0 && f < 1).length, `progress seen: ${fractions}`).toBeGreaterThan(0);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    expect(done.progress.fraction).toBe(1);
    expect(done.artifact?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const link = await session.client.expect<{ url: string; sizeBytes: number; sha256: string; fileName: string }>(200, 'GET', `/jobs/${job.id}/artifact`);
    const file = new Uint8Array(await (await fetch(link.url)).arrayBuffer());
    expect(file.length).toBe(link.sizeBytes);
    const header = parseSafetensorsHeader(file);
    expect(Object.keys(header.tensors).length).toBeGreaterThan(0);

    const listed = await session.client.expect<{ jobs: Job[] }>(200, 'GET', '/jobs');
    expect(listed.jobs[0]?.id).toBe(job.id);

    const adapter = await session.client.expect<Adapter>(201, 'POST', '/adapters', { jobId: job.id, name: 'Ohwx cat v1' });
    expect(adapter).toMatchObject({ jobId: job.id, trainerId: trainer.id, triggerPhrase: 'ohwx cat', artifact: done.artifact });
    expect((await session.client.expect<{ adapters: Adapter[] }>(200, 'GET', '/adapters')).adapters.map((a) => a.id)).toContain(adapter.id);
    await session.client.expect(204, 'DELETE', `/adapters/${adapter.id}`);
    await session.client.expect(404, 'DELETE', `/adapters/${adapter.id}`);
  });

  it('keeps every file of a Wan 2.2 image training: both LoRAs and the config, each downloadable with its size and sha256', async () => {
    const { dataset, version } = await session.client.uploadDataset(await makeDatasetZip({ images: 10, size: 64 }));
    const ready = await session.feed.datasetVersion(dataset.id, version, ['READY']);
    const job = await session.client.expect<Job>(201, 'POST', '/jobs', {
      trainerId: 'fal-ai/wan-22-image-trainer', datasetId: dataset.id, datasetVersion: ready.version, triggerPhrase: 'ohwx wan', params: { steps: 200 },
    });
    const done = await session.feed.job(job.id, 'COMPLETED', 90_000);
    expect(done.artifacts?.map(({ name, role, contentType }) => ({ name, role, contentType }))).toEqual([
      { name: 'pytorch_lora_weights.safetensors', role: 'lora', contentType: 'application/octet-stream' },
      { name: 'config.json', role: 'config', contentType: 'application/json' },
      { name: 'high_noise_lora.safetensors', role: 'lora-high-noise', contentType: 'application/octet-stream' },
    ]);
    expect(done.artifact).toEqual({ fileName: 'pytorch_lora_weights.safetensors', sizeBytes: done.artifacts![0]!.sizeBytes, sha256: done.artifacts![0]!.sha256 });
    for (const artifact of done.artifacts!) {
      const link = await session.client.expect<{ url: string; fileName: string; sizeBytes: number; sha256: string }>(200, 'GET', `/jobs/${job.id}/artifacts/${artifact.name}`);
      expect(link).toMatchObject({ fileName: artifact.name, sizeBytes: artifact.sizeBytes, sha256: artifact.sha256 });
      const file = new Uint8Array(await (await fetch(link.url)).arrayBuffer());
      expect(file.length, artifact.name).toBe(artifact.sizeBytes);
      expect(createHash('sha256').update(file).digest('hex'), artifact.name).toBe(artifact.sha256);
      if (artifact.role !== 'config') expect(parseSafetensorsHeader(file).metadata, artifact.name).toMatchObject({ 'loraworks.job_id': job.id, 'modelspec.trigger_phrase': 'ohwx wan' });
    }
    await session.client.expect(404, 'GET', `/jobs/${job.id}/artifacts/samples.zip`);

    // Registered, the adapter carries both LoRAs (not the config), each downloadable by name.
    const adapter = await session.client.expect<Adapter>(201, 'POST', '/adapters', { jobId: job.id, name: 'Wan both' });
    expect(adapter.artifacts.map((f) => [f.name, f.role])).toEqual([
      ['pytorch_lora_weights.safetensors', 'lora'], ['high_noise_lora.safetensors', 'lora-high-noise'],
    ]);
    const high = done.artifacts!.find((f) => f.role === 'lora-high-noise')!;
    const link = await session.client.expect<{ url: string; sha256: string }>(200, 'GET', `/adapters/${adapter.id}/artifacts/${high.name}`);
    expect(createHash('sha256').update(new Uint8Array(await (await fetch(link.url)).arrayBuffer())).digest('hex')).toBe(high.sha256);
    await session.client.expect(404, 'GET', `/adapters/${adapter.id}/artifacts/config.json`);
  });

  it('imports a LoRA trained elsewhere: a good file ends READY with its metadata\'s trigger phrase and downloads intact; a checkpoint ends INVALID saying so', async () => {
    const good = Buffer.from(buildSafetensors([
      { name: 'lora_unet_mid.lora_down.weight', dtype: 'F16', shape: [4, 64] },
      { name: 'lora_unet_mid.lora_up.weight', dtype: 'F16', shape: [64, 4] },
      { name: 'lora_unet_mid.alpha', dtype: 'F32', shape: [] },
    ], { ss_tag_frequency: JSON.stringify({ '10_zxq': { 'zxq style': 10, painting: 4 } }) }));
    const created = await session.client.expect<{ adapterId: string; upload: { url: string; fields: Record<string, string> } }>(201, 'POST', '/adapters/imports',
      { name: 'Zxq style', fileName: 'zxq style.safetensors', sizeBytes: good.length });
    expect((await postForm(created.upload, good, 'zxq style.safetensors')).status).toBeLessThan(300);
    const readyMessage = await session.feed.next((m) => m.type === 'adapter' && m.adapter.id === created.adapterId && m.adapter.status !== 'CHECKING', 'the import checked');
    const ready = (readyMessage as { adapter: Adapter }).adapter;
    const sha256 = createHash('sha256').update(good).digest('hex');
    expect(ready).toMatchObject({ source: 'import', status: 'READY', triggerPhrase: 'zxq style', artifacts: [{ name: 'zxq_style.safetensors', role: 'lora', sizeBytes: good.length, sha256 }] });
    const link = await session.client.expect<{ url: string; sha256: string }>(200, 'GET', `/adapters/${created.adapterId}/artifacts/zxq_style.safetensors`);
    expect(createHash('sha256').update(new Uint8Array(await (await fetch(link.url)).arrayBuffer())).digest('hex')).toBe(sha256);
    expect((await session.client.expect<{ adapters: Adapter[] }>(200, 'GET', '/adapters')).adapters.find((a) => a.id === created.adapterId)?.status).toBe('READY');

    const checkpoint = Buffer.from(buildSafetensors([{ name: 'model.diffusion_model.out.0.weight', dtype: 'F16', shape: [64, 4] }], {}));
    const bad = await session.client.expect<{ adapterId: string; upload: { url: string; fields: Record<string, string> } }>(201, 'POST', '/adapters/imports',
      { name: 'Oops', fileName: 'model.safetensors', sizeBytes: checkpoint.length });
    expect((await postForm(bad.upload, checkpoint, 'model.safetensors')).status).toBeLessThan(300);
    const refused = ((await session.feed.next((m) => m.type === 'adapter' && m.adapter.id === bad.adapterId && m.adapter.status !== 'CHECKING', 'the bad import checked')) as { adapter: Adapter }).adapter;
    expect(refused).toMatchObject({ status: 'INVALID', error: { code: 'FULL_CHECKPOINT', message: expect.stringMatching(/full checkpoint, not a LoRA/) } });
    await session.client.expect(409, 'GET', `/adapters/${bad.adapterId}/artifacts/model.safetensors`);
  });

  it('trains on Replicate too: the output archive is unpacked to its LoRA, with the training facts in its metadata', async () => {
    const { dataset, version } = await session.client.uploadDataset(await makeDatasetZip({ images: 10, size: 64 }));
    await session.feed.datasetVersion(dataset.id, version, ['READY']);
    const job = await session.client.expect<Job>(201, 'POST', '/jobs', {
      trainerId: 'replicate/ostris/flux-dev-lora-trainer', datasetId: dataset.id, triggerPhrase: 'ohwx rep', params: { steps: 300 },
    });
    const done = await session.feed.job(job.id, 'COMPLETED', 90_000);
    const link = await session.client.expect<{ url: string; sizeBytes: number }>(200, 'GET', `/jobs/${job.id}/artifact`);
    const file = new Uint8Array(await (await fetch(link.url)).arrayBuffer());
    expect(file.length).toBe(done.artifact?.sizeBytes);
    const header = parseSafetensorsHeader(file);
    expect(header.metadata).toMatchObject({ 'modelspec.trigger_phrase': 'ohwx rep', 'loraworks.job_id': job.id, 'loraworks.dataset_version': String(version) });
    const seen = (await (await fetch(`${session.cloud.emulatorUrl}/__emulator/requests`)).json()) as { protocol?: string; status: string }[];
    expect(seen.some((r) => r.protocol === 'replicate' && r.status === 'COMPLETED')).toBe(true);
  });

  it('cancels a running job at the trainer and ends CANCELLED', async () => {
    const { dataset } = await readyDataset();
    const job = await startJob(dataset.id, 10_000);
    await session.feed.job(job.id, 'RUNNING');
    const cancelling = await session.client.expect<Job>(202, 'POST', `/jobs/${job.id}/cancel`);
    expect(cancelling.status).toBe('CANCELLING');
    await session.feed.job(job.id, 'CANCELLED');

    const seen = (await (await fetch(`${session.cloud.emulatorUrl}/__emulator/requests`)).json()) as { cancelRequested: boolean; status: string; input: Record<string, unknown> }[];
    expect(seen.some((r) => r.cancelRequested && r.status === 'CANCELLED')).toBe(true);
    // The trainer's record holds the dataset's link without the signature that would open it.
    expect(JSON.stringify(seen)).not.toMatch(/X-Amz-Signature/i);
    expect(seen.some((r) => String(r.input.images_data_url).endsWith('?…'))).toBe(true);
    await session.client.expect(409, 'POST', `/jobs/${job.id}/cancel`);
    await session.client.expect(409, 'GET', `/jobs/${job.id}/artifact`);
    const refused = await session.client.request<ErrorBody>('POST', '/adapters', { jobId: job.id, name: 'never trained' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/only a completed job/);
  });

  it('trains on the validated bytes even when the presigned form is posted again after READY', async () => {
    const { dataset, version, upload } = await session.client.uploadDataset(await makeDatasetZip({ images: 4, size: 64 }));
    const ready = await session.feed.datasetVersion(dataset.id, version, ['READY', 'INVALID']);
    expect(ready.status).toBe('READY');
    expect(ready.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Another archive of the same size through the same form, still within its hour: S3 takes it.
    const hostile = Buffer.alloc(ready.sizeBytes!, 0x41);
    hostile.write('PK\x03\x04', 0, 'latin1');
    const reposted = await postForm(upload, hostile);
    expect(reposted.status, reposted.body).toBeLessThan(300);

    const trigger = `ohwx repost ${Date.now().toString(36)}`;
    await session.client.expect<Job>(201, 'POST', '/jobs', { trainerId: trainer.id, datasetId: dataset.id, datasetVersion: version, triggerPhrase: trigger, params: { steps: 50 } });
    const emulator = new EmulatorClient(session.cloud.emulatorUrl);
    const record = await eventually(async () => (await emulator.requestsFor(trigger)).find((r) => r.datasetSha256), 'the trainer to download the dataset', 30_000);
    expect(record.datasetSha256).toBe(ready.sha256);
    expect(record.datasetSha256).not.toBe(createHash('sha256').update(hostile).digest('hex'));
  });

  it('refuses bad parameters field by field', async () => {
    const { dataset } = await readyDataset();
    const res = await session.client.request<ErrorBody>('POST', '/jobs', { trainerId: trainer.id, datasetId: dataset.id, triggerPhrase: 'x', params: { steps: -5 } });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'params.steps' })]));
  });
});

describe('starting a job twice with one Idempotency-Key', () => {
  it('returns the same job for the same body and refuses a different body', async () => {
    const { dataset } = await readyDataset();
    const body = { trainerId: trainer.id, datasetId: dataset.id, triggerPhrase: 'ohwx dog', params: { steps: 100 } };
    const headers = { 'idempotency-key': `retry-${dataset.id}` };
    const first = await session.client.expect<Job>(201, 'POST', '/jobs', body, headers);
    const again = await session.client.expect<Job>(201, 'POST', '/jobs', body, headers);
    expect(again.id).toBe(first.id);
    const other = await session.client.request('POST', '/jobs', { ...body, triggerPhrase: 'ohwx bird' }, headers);
    expect(other.status).toBe(409);
    const jobs = (await session.client.expect<{ jobs: Job[] }>(200, 'GET', '/jobs')).jobs.filter((j) => j.datasetId === dataset.id);
    expect(jobs.map((j) => j.id)).toEqual([first.id]);
    await session.feed.job(first.id, 'COMPLETED', 90_000);
  });
});

describe('one user cannot see another', () => {
  it('gives 404 for the other user’s dataset and job and pushes none of their messages', async () => {
    const bob = await LoraworksClient.signIn(session.cloud.apiUrl, 'bob');
    const bobFeed = await bob.connect(session.cloud.wsUrl);
    try {
      const { dataset } = await readyDataset();
      const job = await startJob(dataset.id, 100);
      await bob.expect(404, 'GET', `/datasets/${dataset.id}`);
      await bob.expect(404, 'GET', `/jobs/${job.id}`);
      await bob.expect(404, 'POST', `/jobs/${job.id}/cancel`);
      expect((await bob.expect<{ jobs: Job[] }>(200, 'GET', '/jobs')).jobs).toEqual([]);
      await session.feed.job(job.id, 'COMPLETED', 90_000);
      // Bob's own ping is answered, so his socket is live and has had every chance to receive Alice's messages.
      bobFeed.socket.send(JSON.stringify({ action: 'ping' }));
      await bobFeed.next((m) => m.type === 'pong', 'pong');
      expect(bobFeed.messages.filter((m) => m.type !== 'pong')).toEqual([]);
    } finally {
      bobFeed.close();
    }
  });

  it('refuses a WebSocket without a valid token', async () => {
    const stranger = Object.create(LoraworksClient.prototype, { token: { value: 'nope' } }) as LoraworksClient;
    await expect(stranger.connect(session.cloud.wsUrl)).rejects.toThrow(/401/);
  });
});

describe('one token rule for both doors', () => {
  /** A token signed by the local cloud's own issuer (valid signature, issuer and expiry), with these claims. */
  async function signed(claims: Record<string, unknown>): Promise<string> {
    const jwk = JSON.parse(await readFile(join(session.dataDir, 'dev-issuer-key.json'), 'utf8')) as JWK;
    const issuer = `${session.cloud.url}/dev`;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid! }).setIssuer(issuer).setSubject('dev-mallory')
      .setIssuedAt().setExpirationTime('1h').sign(await importJWK(jwk, 'RS256'));
  }
  const as = (token: string) => Object.create(LoraworksClient.prototype, { token: { value: token }, apiUrl: { value: session.cloud.apiUrl } }) as LoraworksClient;

  it.each([
    { kind: 'an access token (client_id, no aud)', claims: { token_use: 'access', client_id: 'loraworks-local', scope: 'aws.cognito.signin.user.admin' } },
    { kind: 'a token without token_use', claims: { aud: 'loraworks-local' } },
  ])('refuses $kind on the HTTP routes and on the WebSocket alike', async ({ claims }) => {
    const client = as(await signed(claims));
    // The one authorizer use case (app/authenticate.ts) refuses it on both doors.
    const http = await client.request<{ message: string }>('GET', '/datasets');
    expect(http).toMatchObject({ status: 403, body: { message: 'Forbidden' } });
    await expect(client.connect(session.cloud.wsUrl)).rejects.toThrow(/401/);
  });

  it('takes an ID token of the client on both doors', async () => {
    const client = as(await signed({ token_use: 'id', aud: 'loraworks-local' }));
    expect((await client.request('GET', '/datasets')).status).toBe(200);
    (await client.connect(session.cloud.wsUrl)).close();
  });

  it('refuses a token for another client at the gateway, as API Gateway does when its authorizer refuses', async () => {
    const res = await as(await signed({ token_use: 'id', aud: 'someone-else', client_id: 'loraworks-local' })).request<{ message: string }>('GET', '/datasets');
    expect(res).toMatchObject({ status: 403, body: { message: 'Forbidden' } });
  });
});
