// The built `loraworks` CLI (npm run build:cli → dist/loraworks.mjs, through bin/loraworks.mjs) run as a
// subprocess against one local cloud, with a config folder of its own: what a person at a terminal sees, and
// what a script reading --json gets.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSafetensors } from '#domain/safetensors';
import type { Adapter, DatasetVersion, ErrorBody, Job, Schedule, ScheduleRun } from '#domain/schemas';
import { useCloudSession } from '#support/cloud-session';
import { makeDatasetZip } from '#support/dataset-zip';
import { makePng } from '#support/png';
import { useTempDir } from '#support/temp-dir';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/loraworks.mjs');
const TRAINER = 'fal-ai/flux-lora-fast-training';

const session = useCloudSession('cli', { stepsPerSecond: 200 }, 240_000);
const temp = useTempDir('loraworks-cli-');

interface Run { code: number; stdout: string; stderr: string }

/** Runs `loraworks ARGS` with the test's config folder (and no workspace from the outer environment). */
function loraworks(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LORAWORKS_CONFIG_DIR: join(temp(), 'config'), ...options.env };
    if (!options.env?.LORAWORKS_URL) delete env.LORAWORKS_URL;
    if (!options.env?.LORAWORKS_TOKEN) delete env.LORAWORKS_TOKEN;
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** `loraworks ARGS --json`, its stdout parsed; the exit code must be `code`. */
async function json<T>(args: string[], code = 0): Promise<T> {
  const run = await loraworks([...args, '--json']);
  expect(run.code, `loraworks ${args.join(' ')} exited ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(code);
  return JSON.parse(run.stdout) as T;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A folder of captioned PNGs, as a person keeps a dataset before zipping it. */
async function imageFolder(name: string, images = 4): Promise<string> {
  const dir = join(temp(), name);
  await mkdir(join(dir, 'more'), { recursive: true });
  for (let i = 1; i <= images; i++) {
    const sub = i % 2 ? dir : join(dir, 'more');
    await writeFile(join(sub, `img-${i}.png`), makePng(64, 64, i));
    await writeFile(join(sub, `img-${i}.txt`), `a photo of [trigger], number ${i}`);
  }
  return dir;
}

beforeAll(async () => {
  // The tests run what `npm test` runs: the bundle, freshly built.
  await promisify(execFile)('npm', ['run', 'build:cli'], { cwd: ROOT });
  await stat(join(ROOT, 'dist/loraworks.mjs'));
}, 60_000);

describe('the loraworks CLI', { timeout: 120_000 }, () => {
  it('answers a usage error with exit 2 and says what is wrong', async () => {
    const run = await loraworks(['train', '--dataset', 'ds']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--trainer <id>' not specified");
    const unknown = await loraworks(['datasets', 'frobnicate']);
    expect(unknown.code).toBe(2);
  });

  it('prints help for each command with exit 0', async () => {
    const run = await loraworks(['datasets', 'upload', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: loraworks datasets upload [options] <id> <path>');
    expect(run.stdout).toContain('--wait');
  });

  it('exits 3 without a token, and 3 when the API refuses the token', async () => {
    const none = await loraworks(['datasets', '--url', session.cloud.url]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('You are not signed in');
    const refused = await loraworks(['datasets', '--url', session.cloud.url, '--token', 'lwk_not-a-real-token']);
    expect(refused.stderr).toContain('refused the token');
    expect(refused.code).toBe(3);
  });

  it('signs in with --dev against the local cloud, keeps the profile private, and whoami names the user', async () => {
    const login = await json<{ user: string; apiUrl: string; profile: string }>(['login', '--dev', 'carol', '--url', session.cloud.url]);
    expect(login).toMatchObject({ user: 'carol', apiUrl: session.cloud.apiUrl });
    expect((await stat(login.profile)).mode & 0o777).toBe(0o600);
    const who = await json<{ user: string; url: string; wsUrl: string }>(['whoami']);
    expect(who).toMatchObject({ user: 'carol@example.test', url: session.cloud.url, wsUrl: session.cloud.wsUrl });
  });

  it('reads a token from stdin, and an API URL works as the workspace too', async () => {
    const login = await loraworks(['login', '--url', session.cloud.apiUrl], { input: `${session.client.token}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`Signed in to ${session.cloud.apiUrl}`);
    const who = await json<{ apiUrl: string; wsUrl?: string; tokenKind: string }>(['whoami']);
    expect(who).toMatchObject({ apiUrl: session.cloud.apiUrl, wsUrl: session.cloud.wsUrl, tokenKind: 'user' });
    // The rest of the file runs as the session's user (its live feed shows their jobs), through the web origin.
    expect((await loraworks(['login', '--dev', 'alice', '--url', session.cloud.url])).code).toBe(0);
  });

  it('lists the trainers and shows one with its parameter ranges and defaults', async () => {
    const table = await loraworks(['trainers']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+PROVIDER\s+KIND/m);
    expect(table.stdout).toContain(TRAINER);
    const shown = await loraworks(['trainers', 'show', TRAINER]);
    expect(shown.stdout).toMatch(/^steps\s+integer\s+1\.\.10000\s+1000\s/m);
  });

  describe('a dataset from a folder, trained, downloaded and registered', () => {
    let datasetId: string;
    let job: Job;

    it('uploads a folder of images and captions, zipped on the fly, and --wait prints READY with exit 0', async () => {
      const dataset = await json<{ id: string }>(['datasets', 'create', 'cli folder set']);
      datasetId = dataset.id;
      const version = await json<DatasetVersion & { datasetId: string }>(['datasets', 'upload', datasetId, await imageFolder('photos'), '--wait']);
      expect(version).toMatchObject({ datasetId, version: 1, status: 'READY', source: 'cli' });
      expect(version.report).toMatchObject({ images: 4, captions: 4, errors: [] });
      const shown = await loraworks(['datasets', 'show', datasetId]);
      expect(shown.stdout).toMatch(/^1\s+READY\s/m);
    });

    it('refuses parameters the catalog refuses before sending, with the API\'s own messages', async () => {
      const run = await loraworks(['train', '--trainer', TRAINER, '--dataset', datasetId, '--trigger', 'ohwx cat', '--param', 'steps=0', '--param', 'colour=red']);
      expect(run.code).toBe(2);
      const api = await session.client.request<ErrorBody>('POST', '/jobs', { trainerId: TRAINER, datasetId, triggerPhrase: 'ohwx cat', params: { steps: 0, colour: 'red' } });
      expect(api.status).toBe(422);
      expect(run.stderr).toContain(api.body.error.message);
      for (const detail of api.body.error.details!) expect(run.stderr).toContain(`${detail.field}: ${detail.message}`);
      expect((await json<{ jobs: Job[] }>(['jobs'])).jobs).toEqual([]);
    });

    it('trains with --wait until COMPLETED and exits 0', async () => {
      job = await json<Job>(['train', '--trainer', TRAINER, '--dataset', datasetId, '--trigger', 'ohwx cat', '--param', 'steps=40', '--wait']);
      expect(job).toMatchObject({ status: 'COMPLETED', datasetVersion: 1, params: { steps: 40 }, origin: 'api' });
      expect(job.artifact?.sha256).toMatch(/^[0-9a-f]{64}$/);
      const listed = await json<{ jobs: Job[] }>(['jobs', '--status', 'completed']);
      expect(listed.jobs.map((j) => j.id)).toEqual([job.id]);
    });

    it('downloads the LoRA, checks its sha256 and says where it wrote it', async () => {
      const out = join(temp(), 'downloads');
      await mkdir(out);
      const run = await loraworks(['download', job.id, '--out', out]);
      expect(run.code, run.stderr).toBe(0);
      const path = join(out, job.artifact!.fileName);
      expect(run.stdout).toContain(`Wrote ${path}`);
      const bytes = await readFile(path);
      expect(sha256(bytes)).toBe(job.artifact!.sha256);
      expect(bytes.length).toBe(job.artifact!.sizeBytes);
    });

    it('registers the LoRA as an adapter and removes it again', async () => {
      const adapter = await json<Adapter>(['adapters', 'register', job.id, '--name', 'ohwx cat v1']);
      expect(adapter).toMatchObject({ name: 'ohwx cat v1', jobId: job.id });
      expect((await json<{ adapters: Adapter[] }>(['adapters'])).adapters.map((a) => a.id)).toEqual([adapter.id]);
      const shown = await json<{ snippets: { fal: string; prompt: string } }>(['adapters', 'show', adapter.id]);
      expect(JSON.parse(shown.snippets.fal).loras[0].path).toMatch(/^http/);
      expect(shown.snippets.prompt).toMatch(/^ohwx cat <lora:[\w.-]+:1>$/);
      const fetched = await json<{ path: string; sha256: string }>(['adapters', 'download', adapter.id, '--out', temp()]);
      expect(sha256(await readFile(fetched.path))).toBe(job.artifact!.sha256);
      const twice = await loraworks(['adapters', 'register', job.id, '--name', 'again']);
      expect(twice.code).toBe(1);
      expect(twice.stderr).toMatch(/loraworks: .*already/i);
      expect((await loraworks(['adapters', 'remove', adapter.id])).code).toBe(0);
      expect((await json<{ adapters: Adapter[] }>(['adapters'])).adapters).toEqual([]);
    });

    it('imports a LoRA file and waits for its check: READY with the trigger phrase of its metadata, exit 1 with the reason for a full model', async () => {
      const good = join(temp(), 'inked.safetensors');
      await writeFile(good, buildSafetensors([
        { name: 'a.lora_A.weight', dtype: 'F16', shape: [4, 32] }, { name: 'a.lora_B.weight', dtype: 'F16', shape: [32, 4] },
      ], { trigger_word: 'inkd' }));
      const imported = await json<Adapter>(['adapters', 'import', good, '--name', 'Inked']);
      expect(imported).toMatchObject({ source: 'import', status: 'READY', triggerPhrase: 'inkd', artifacts: [{ name: 'inked.safetensors', sha256: sha256(await readFile(good)) }] });
      const bad = join(temp(), 'model.safetensors');
      await writeFile(bad, buildSafetensors([{ name: 'model.diffusion_model.out.weight', dtype: 'F16', shape: [8] }], {}));
      const refused = await loraworks(['adapters', 'import', bad, '--name', 'Whole model']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/model\.safetensors was refused: This is a full checkpoint, not a LoRA/);
      expect((await loraworks(['adapters', 'remove', imported.id])).code).toBe(0);
    });

    it('creates a schedule, lists it, runs it now, shows its runs, pauses it and deletes it (its job stays)', async () => {
      const bad = await loraworks(['schedules', 'create', '--name', 'weekly', '--dataset', datasetId, '--trainer', TRAINER, '--trigger', 'ohwx cat', '--cron', '0 3 * * MON', '--timezone', 'Mars/Olympus']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/expression: .*cron/);
      expect(bad.stderr).toContain('timezone: "Mars/Olympus" is not an IANA time zone');
      const schedule = await json<Schedule>(['schedules', 'create', '--name', 'weekly cat', '--dataset', datasetId, '--trainer', TRAINER,
        '--trigger', 'ohwx cat', '--param', 'steps=20', '--cron', '0 3 ? * MON *', '--timezone', 'Europe/Paris', '--always']);
      expect(schedule).toMatchObject({ name: 'weekly cat', expression: 'cron(0 3 ? * MON *)', timezone: 'Europe/Paris', onlyIfDatasetChanged: false, autoRegister: false, enabled: true, params: { steps: 20 } });
      const listed = await loraworks(['schedules']);
      expect(listed.stdout).toMatch(new RegExp(`^${schedule.id}\\s+weekly cat\\s+cron\\(0 3 \\? \\* MON \\*\\) Europe/Paris\\s+active\\s+${schedule.nextRunAt!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+never run$`, 'm'));

      const run = await json<ScheduleRun>(['schedules', 'run', schedule.id]);
      expect(run).toMatchObject({ scheduleId: schedule.id, outcome: 'STARTED', datasetVersion: 1, jobId: expect.any(String) });
      const runs = await loraworks(['schedules', 'runs', schedule.id]);
      expect(runs.stdout).toMatch(new RegExp(`^AT\\s+OUTCOME\\s+VERSION\\s+JOB\\s+REASON\\n\\S+\\s+STARTED\\s+1\\s+${run.jobId}$`, 'm'));

      expect(await json<Schedule>(['schedules', 'pause', schedule.id])).toMatchObject({ id: schedule.id, enabled: false });
      const deleted = await loraworks(['schedules', 'delete', schedule.id]);
      expect(deleted.stdout).toContain(`Deleted schedule ${schedule.id}; its jobs and LoRAs stay.`);
      expect((await json<{ schedules: Schedule[] }>(['schedules'])).schedules).toEqual([]);
      expect(await json<Job>(['jobs', 'show', run.jobId!])).toMatchObject({ origin: 'schedule', scheduleId: schedule.id });
    });

    it('cancels a running job; watching it then ends with exit 1', async () => {
      const started = await json<Job>(['train', '--trainer', TRAINER, '--dataset', datasetId, '--trigger', 'ohwx cat', '--param', 'steps=10000']);
      expect(started.status).toBe('QUEUED');
      await session.feed.job(started.id, 'RUNNING');
      const cancelled = await json<Job>(['jobs', 'cancel', started.id]);
      expect(['CANCELLING', 'CANCELLED']).toContain(cancelled.status);
      const watched = await loraworks(['jobs', 'watch', started.id]);
      expect(watched.code).toBe(1);
      expect(watched.stderr).toContain(`Job ${started.id} ended CANCELLED`);
      expect((await json<Job>(['jobs', 'show', started.id])).status).toBe('CANCELLED');
    });
  });

  it('uploads an invalid zip and --wait exits 1 with the finding', async () => {
    const zip = join(temp(), 'broken.zip');
    await writeFile(zip, await makeDatasetZip({ images: 4, extra: { 'fake.png': 'these bytes are not a picture' } }));
    const { id } = await json<{ id: string }>(['datasets', 'create', 'broken set']);
    const run = await loraworks(['datasets', 'upload', id, zip, '--wait']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Dataset ${id} version 1: INVALID`);
    expect(run.stdout).toMatch(/error NOT_AN_IMAGE \(fake\.png\): fake\.png is named like a PNG/);
    expect(run.stderr).toContain('Version 1 is INVALID');
  });

  it('creates an API token that works as a login, lists it with its last use, and revokes it', async () => {
    const created = await json<{ id: string; name: string; token: string; expiresAt: string }>(['tokens', 'create', 'ci', '--days', '7']);
    expect(created).toMatchObject({ name: 'ci', token: expect.stringMatching(/^lwk_/) });
    const who = await json<{ tokenKind: string; apiToken: { id: string; name: string } }>(['whoami', '--token', created.token]);
    expect(who).toMatchObject({ tokenKind: 'api-token', apiToken: { id: created.id, name: 'ci' } });
    const listed = await loraworks(['tokens', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`^${created.id}\\s+ci\\s+\\S+\\s+${created.expiresAt}\\s+\\d{4}-`, 'm'));
    expect((await loraworks(['tokens', 'revoke', created.id])).code).toBe(0);
    const refused = await loraworks(['datasets', '--token', created.token]);
    expect(refused.code).toBe(3);
    const tooLong = await loraworks(['tokens', 'create', 'forever', '--days', '400']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain('A token lives at most 365 days');
  });

  it('logs out: the token is gone and the next call exits 3', async () => {
    expect((await loraworks(['logout'])).code).toBe(0);
    const run = await loraworks(['datasets']);
    expect(run.code).toBe(3);
  });
});
