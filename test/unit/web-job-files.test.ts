// The jobs panel's list of a completed job's files, without a browser: each file's role in words and size, and a
// download of one file asking the API for that file's link.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Job } from '#domain/schemas';
import { JobActions } from '#web/actions/jobs';
import { ApiClient } from '#web/api';
import { fileLines } from '#web/artifact-rules';
import { Store, initialState } from '#web/state';

const sha = 'a'.repeat(64);
const job = (patch: Partial<Job> = {}): Job => ({
  id: '01JOB', status: 'COMPLETED', trainerId: 'fal-ai/wan-22-image-trainer', datasetId: 'ds1', datasetVersion: 1, triggerPhrase: 'ohwx',
  params: {}, origin: 'web', progress: { fraction: 1 }, createdAt: '2026-12-02T00:00:00.000Z', updatedAt: '2026-12-02T00:00:00.000Z',
  artifact: { fileName: 'pytorch_lora_weights.safetensors', sizeBytes: 2_400_000, sha256: sha },
  artifacts: [
    { name: 'pytorch_lora_weights.safetensors', role: 'lora', sizeBytes: 2_400_000, sha256: sha, contentType: 'application/octet-stream' },
    { name: 'config.json', role: 'config', sizeBytes: 412, sha256: sha, contentType: 'application/json' },
    { name: 'high_noise_lora.safetensors', role: 'lora-high-noise', sizeBytes: 2_400_000, sha256: sha, contentType: 'application/octet-stream' },
  ],
  ...patch,
});

describe('the files the jobs panel lists', () => {
  it('lists every file of a completed job with its role and size, the LoRA first', () => {
    expect(fileLines(job())).toEqual([
      { name: 'pytorch_lora_weights.safetensors', label: 'LoRA', size: expect.stringMatching(/^2\.\d MB$/) },
      { name: 'config.json', label: 'Training config', size: '412 B' },
      { name: 'high_noise_lora.safetensors', label: 'High-noise LoRA', size: expect.stringMatching(/MB$/) },
    ]);
  });

  it('lists the one LoRA of an older job, and nothing before a job completes', () => {
    expect(fileLines(job({ artifacts: undefined })).map((line) => line.label)).toEqual(['LoRA']);
    expect(fileLines(job({ status: 'RUNNING', artifact: undefined, artifacts: undefined }))).toEqual([]);
  });
});

describe('downloading one file', () => {
  let requests: string[];
  let answer: { status: number; body: unknown };
  beforeEach(() => {
    requests = [];
    vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {}, removeItem: () => {} });
    vi.stubGlobal('window', { location: { assign: vi.fn() } });
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      requests.push(url);
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
    }));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('asks for that file\'s link and follows it, or says why it could not', async () => {
    const store = new Store(initialState());
    const actions = new JobActions({ store, api: new ApiClient('https://api.test', 'jwt') });
    answer = { status: 200, body: { url: 'https://s3.test/config.json?sig', fileName: 'config.json', sizeBytes: 412, sha256: sha, expiresAt: '2026-12-02T00:15:00.000Z' } };
    await actions.downloadArtifact(job(), 'config.json');
    expect(requests).toEqual(['https://api.test/jobs/01JOB/artifacts/config.json']);
    expect(window.location.assign).toHaveBeenCalledWith('https://s3.test/config.json?sig');

    answer = { status: 404, body: { error: { code: 'ARTIFACT_NOT_FOUND', message: 'Job 01JOB has no file named "x.zip".' } } };
    await actions.downloadArtifact(job(), 'x.zip');
    expect(store.get().jobsError).toMatch(/Could not download x\.zip: .*no file named/);
  });
});
