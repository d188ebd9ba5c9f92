// The CLI's pure parts: parameter coercion against the catalog, the workspace URL's resolution, the exit codes;
// and `train --estimate` against a fake API (a fetch that answers by route).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Job, Trainer } from '#domain/schemas';
import { jobLines, logLines } from '#cli/commands/jobs';
import { validateTrainingRequest } from '#domain/training-request';
import { ApiError, apiErrorFrom } from '#http/api-client';
import { CliError, EXIT, exitCodeFor, notSignedIn } from '#cli/errors';
import { pick, resolveEndpoints } from '#cli/connection';
import { checkTrainingRequest, coerceParam, parseParamPairs } from '#cli/params';
import { describeToken } from '#cli/commands/auth';
import { apiTokenId } from '#cli/commands/tokens';
import { errorLines } from '#cli/errors';
import { createProgram, everyCommand } from '#cli/program';
import { estimateLine } from '#domain/estimate-line';

const trainer: Trainer = {
  id: 'fal-ai/test', provider: 'fal', name: 'Test trainer', kind: 'image', description: '', trigger: 'required',
  dataset: { minImages: 1, formats: ['png'], captions: 'optional' },
  params: [
    { key: 'steps', label: 'Steps', type: 'integer', default: 1000, min: 1, max: 10000, help: '', group: 'core' },
    { key: 'learningRate', label: 'Learning rate', type: 'number', min: 0.000001, max: 0.01, help: '', group: 'core' },
    { key: 'isStyle', label: 'Style', type: 'boolean', default: false, help: '', group: 'model' },
    { key: 'format', label: 'Format', type: 'enum', options: ['fal', 'comfy'], help: '', group: 'model' },
    { key: 'caption', label: 'Default caption', type: 'string', help: '', group: 'model' },
  ],
};

describe('--param key=value', () => {
  it('coerces each value to its parameter\'s type from the catalog', () => {
    expect(checkTrainingRequest(trainer, 'ohwx', ['steps=500', 'learningRate=1e-4', 'isStyle=yes', 'format=comfy', 'caption=a=b'])).toEqual({
      params: { steps: 500, learningRate: 0.0001, isStyle: true, format: 'comfy', caption: 'a=b' },
    });
    expect(coerceParam(trainer, 'isStyle', 'off')).toBe(false);
    expect(coerceParam(trainer, 'steps', ' 12 ')).toBe(12);
  });

  it('leaves text that is not of the type as text, so the API\'s own rule says what is wrong', () => {
    const checked = checkTrainingRequest(trainer, 'ohwx', ['steps=many', 'isStyle=perhaps', 'steps2=1']);
    const api = validateTrainingRequest(trainer, { triggerPhrase: 'ohwx', params: { steps: 'many', isStyle: 'perhaps', steps2: '1' } });
    expect(checked).toEqual(api);
    expect(checked).toEqual({ details: expect.arrayContaining([
      { field: 'params.steps', message: 'Steps must be a number.' },
      { field: 'params.isStyle', message: 'Style must be true or false.' },
      { field: 'params.steps2', message: expect.stringContaining('Test trainer has no parameter "steps2"') },
    ]) });
  });

  it('checks ranges and the trigger phrase as POST /jobs does', () => {
    expect(checkTrainingRequest(trainer, undefined, ['steps=0'])).toEqual({ details: [
      { field: 'triggerPhrase', message: 'Set a trigger phrase, the word that will call up your LoRA in prompts.' },
      { field: 'params.steps', message: 'Steps must be at least 1; got 0.' },
    ] });
  });

  it('refuses a pair without = as a usage problem', () => {
    expect(parseParamPairs(['steps'])).toEqual({ details: [{ field: 'params', message: '"steps" is not key=value; write for example --param steps=500.' }] });
    expect(parseParamPairs(['=3'])).toHaveProperty('details');
  });
});

describe('the workspace URL', () => {
  const configs = (documents: Record<string, unknown>) => async (url: string) => documents[url];

  it('takes the flag, then the environment, then the profile', () => {
    expect(pick('a', 'b', 'c')).toEqual({ value: 'a', from: 'flag' });
    expect(pick(undefined, 'b', 'c')).toEqual({ value: 'b', from: 'environment' });
    expect(pick(undefined, '', 'c')).toEqual({ value: 'c', from: 'profile' });
    expect(pick(undefined, undefined, undefined)).toEqual({});
  });

  it('resolves a web origin through its /config.json, relative URLs included', async () => {
    const read = configs({ 'https://d1.cloudfront.net/config.json': { apiUrl: 'https://api.example.com/', wsUrl: 'wss://ws.example.com/prod', auth: {} } });
    expect(await resolveEndpoints('https://d1.cloudfront.net/', read)).toEqual({ apiUrl: 'https://api.example.com', wsUrl: 'wss://ws.example.com/prod' });
    const local = configs({ 'http://localhost:3000/config.json': { apiUrl: '/api', wsUrl: 'ws://localhost:3000/ws' } });
    expect(await resolveEndpoints('http://localhost:3000', local)).toEqual({ apiUrl: 'http://localhost:3000/api', wsUrl: 'ws://localhost:3000/ws' });
  });

  it('takes an API URL as it is, with the WebSocket its origin names for it, if any', async () => {
    const local = configs({ 'http://localhost:3000/config.json': { apiUrl: 'http://localhost:3000/api', wsUrl: 'ws://localhost:3000/ws' } });
    expect(await resolveEndpoints('http://localhost:3000/api/', local)).toEqual({ apiUrl: 'http://localhost:3000/api', wsUrl: 'ws://localhost:3000/ws' });
    expect(await resolveEndpoints('https://abc.execute-api.eu-west-1.amazonaws.com', configs({}))).toEqual({ apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com' });
  });

  it('refuses what is not an http(s) URL as a usage error', async () => {
    await expect(resolveEndpoints('localhost:3000', configs({}))).rejects.toMatchObject({ exitCode: EXIT.usage, message: expect.stringContaining('must start with http') });
    await expect(resolveEndpoints('not a url', configs({}))).rejects.toMatchObject({ exitCode: EXIT.usage });
  });
});

describe('exit codes', () => {
  it('maps failures to 1, usage to 2 and authentication to 3', () => {
    expect(exitCodeFor(notSignedIn())).toBe(3);
    expect(exitCodeFor(apiErrorFrom(401, { message: 'Unauthorized' }))).toBe(3);
    expect(exitCodeFor(apiErrorFrom(403, { message: 'Forbidden' }))).toBe(3);
    expect(exitCodeFor(apiErrorFrom(422, { error: { code: 'INVALID_PARAMS', message: 'x', details: [] } }))).toBe(2);
    expect(exitCodeFor(apiErrorFrom(409, { error: { code: 'DATASET_NOT_READY', message: 'x' } }))).toBe(1);
    expect(exitCodeFor(apiErrorFrom(404, { error: { code: 'JOB_NOT_FOUND', message: 'x' } }))).toBe(1);
    expect(exitCodeFor(new ApiError(0, 'NETWORK', 'down', [], 'network'))).toBe(1);
    expect(exitCodeFor(new CliError(EXIT.failed, 'INVALID'))).toBe(1);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
  });
});

describe('whoami', () => {
  it('names a user token\'s email from its claims and knows an API token by its prefix', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'u1', email: 'ann@example.com' })).toString('base64url');
    expect(describeToken(`h.${payload}.s`)).toEqual({ kind: 'user', user: 'ann@example.com' });
    expect(describeToken('lwk_abc')).toEqual({ kind: 'api-token' });
    expect(describeToken('garbage')).toEqual({ kind: 'user' });
  });

  it('finds an API token\'s id in the token, to name it from GET /tokens', () => {
    expect(apiTokenId('lwk_01ABC_s3cr3t')).toBe('01ABC');
    expect(apiTokenId('lwk_')).toBeUndefined();
    expect(apiTokenId('eyJ.x.y')).toBeUndefined();
  });
});

describe('jobs show / jobs logs', () => {
  const job: Job = {
    id: '01JOB', status: 'FAILED', trainerId: 'fal-ai/flux-lora-fast-training', datasetId: 'ds1', datasetVersion: 3, triggerPhrase: 'ohwx',
    params: { steps: 1000 }, origin: 'web', progress: { fraction: 0.4, step: 400, totalSteps: 1000 },
    error: { code: 'TRAINER_UNAVAILABLE', message: 'The trainer could not be reached.' },
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:10:00.000Z', startedAt: '2026-01-01T00:01:30.000Z', finishedAt: '2026-01-01T00:10:00.000Z',
  };
  it('prints the times and durations, the error and what to do', () => {
    const text = jobLines(job).join('\n');
    expect(text).toContain('waited 1m30s, trained 8m30s, total 10m00s');
    expect(text).toContain('error TRAINER_UNAVAILABLE: The trainer could not be reached.');
    expect(text).toContain('what to do: Retry in a few minutes');
    expect(text).toContain('params steps=1000');
  });
  it('prints each log line with its time, and says when older ones were dropped', () => {
    expect(logLines({ lines: [{ at: '2026-01-01T00:00:01.000Z', message: 'step 1' }], truncated: true })).toEqual([
      '(older lines were dropped; the last ones are kept)', '2026-01-01T00:00:01.000Z  step 1',
    ]);
  });
});

describe('train --estimate', () => {
  const estimate = { costUsd: 2.4, durationSeconds: 480, basis: "Estimate: fal's $2.40 per 1,000 steps × 1,000 steps; the time assumes 30 s to start and 0.45 s per step (not measured). Source: fal." };
  const base = ['train', '--url', 'https://api.test', '--token', 'lwk_a_b', '--trainer', 'fal-ai/test', '--dataset', 'ds_1', '--trigger', 'ohwx cat', '--param', 'steps=1000', '--estimate'];

  /** The fake API: GET /trainers, and POST /jobs/estimate answering `answer`; it keeps what it was asked. */
  function fakeApi(answer: { status: number; body: unknown }) {
    const calls: { method: string; url: string; body?: unknown }[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      calls.push({ method: init.method ?? 'GET', url, ...(init.body ? { body: JSON.parse(String(init.body)) } : {}) });
      const reply = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      if (url === 'https://api.test/config.json') return new Response('not found', { status: 404 });
      if (url === 'https://api.test/trainers') return reply(200, { trainers: [trainer], source: 'provider', unavailable: [] });
      if (url === 'https://api.test/jobs/estimate' && init.method === 'POST') return reply(answer.status, answer.body);
      throw new Error(`unexpected call ${init.method} ${url}`);
    });
    return calls;
  }
  async function run(args: string[]): Promise<{ stdout: string; error?: unknown }> {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    let error: unknown;
    try {
      const program = createProgram();
      for (const cmd of everyCommand(program)) cmd.exitOverride();
      await program.parseAsync(args, { from: 'user' });
    } catch (thrown) {
      error = thrown;
    }
    vi.mocked(process.stdout.write).mockRestore();
    return { stdout: written.join(''), error };
  }
  afterEach(() => vi.unstubAllGlobals());

  it('asks POST /jobs/estimate with the body POST /jobs would get, starts nothing, and says the estimate as the web does', async () => {
    const calls = fakeApi({ status: 200, body: estimate });
    const { stdout, error } = await run(base);
    expect(error).toBeUndefined();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', url: 'https://api.test/jobs/estimate', body: {
      trainerId: 'fal-ai/test', datasetId: 'ds_1', triggerPhrase: 'ohwx cat', params: { steps: 1000 }, origin: 'api',
    } }]);
    expect(stdout).toContain(`Estimate: ${estimateLine(estimate)} (an estimate, not a quote`);
    expect(stdout).toContain('Estimate: about $2.40 · about 8 min');
    expect(stdout).toContain(estimate.basis);
  });

  it('refuses --estimate with --wait as a usage error, before anything is sent', async () => {
    const calls = fakeApi({ status: 200, body: estimate });
    const { error } = await run([...base, '--wait']);
    expect(error).toMatchObject({ exitCode: EXIT.usage, message: expect.stringContaining('--estimate starts nothing') });
    expect(calls).toEqual([]);
  });

  it('prints the answer as JSON with --json', async () => {
    fakeApi({ status: 200, body: estimate });
    const { stdout } = await run([...base, '--json']);
    expect(JSON.parse(stdout)).toEqual(estimate);
  });

  it('ends with the server\'s message when it refuses, as every command does', async () => {
    fakeApi({ status: 409, body: { error: { code: 'DATASET_NOT_READY', message: 'Dataset ds_1 has no READY version yet.' } } });
    const { stdout, error } = await run(base);
    expect(stdout).toBe('');
    expect(errorLines(error)).toEqual(['Dataset ds_1 has no READY version yet.']);
    expect(exitCodeFor(error)).toBe(EXIT.failed);
  });
});
