// The local cloud killed with SIGKILL mid-training and started again on the same data: the reconciler resumes
// every job on its remote job (never submitting twice), and every job reaches its terminal state.
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '#domain/schemas';
import { makeDatasetZip } from '#support/dataset-zip';
import { EmulatorClient } from '#support/emulator-client';
import { eventually } from '#support/poll';
import { LoraworksClient } from '#support/local-cloud-client';
import { spawnLocalCloud, type LocalCloudProcess } from '#support/local-cloud-process';

const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];
let dataDir: string;
let cloud: LocalCloudProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'loraworks-kill-'));
});
afterAll(async () => {
  if (cloud && cloud.child.exitCode === null) await cloud.interrupt();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a local cloud killed mid-training', () => {
  it('resumes every job after a restart: all reach their terminal state, none stays RUNNING, none is submitted twice', async () => {
    const env = { LORAWORKS_DATA_DIR: dataDir, LORAWORKS_EMULATOR_STEPS_PER_SECOND: '100', POLL_MIN_SECONDS: '1', POLL_MAX_SECONDS: '2' };
    cloud = await spawnLocalCloud(env);
    let alice = await LoraworksClient.signIn(cloud.apiUrl, 'alice');
    const feed = await alice.connect(cloud.wsUrl);
    const { dataset, version } = await alice.uploadDataset(await makeDatasetZip({ images: 4, size: 64 }));
    await feed.datasetVersion(dataset.id, version, ['READY']);

    const run = Date.now().toString(36);
    const start = (i: number, steps: number) => alice.expect<Job>(201, 'POST', '/jobs', {
      trainerId: 'fal-ai/flux-lora-fast-training', datasetId: dataset.id, triggerPhrase: `kill-${run}-${i}`, params: { steps },
    });
    // Six jobs for four trainer slots: some run, some wait in the trainer's queue when the kill comes. Job 5 is
    // the one cancelled; it trains for 100 s so that, whichever slot it gets, the cancel always lands first.
    const jobs = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => start(i, i === 5 ? 10_000 : 600 + i * 50)));
    const running = new Set<string>();
    await feed.next((m) => m.type === 'job' && m.job.status === 'RUNNING' && running.add(m.job.id).size >= 4, 'four jobs running');
    await feed.next((m) => m.type === 'job' && m.job.progress.fraction > 0.05, 'training progress');
    // One cancel in flight at the kill: it must still end CANCELLED.
    const cancelling = await alice.expect<Job>(202, 'POST', `/jobs/${jobs[5]!.id}/cancel`);
    expect(['CANCELLING', 'CANCELLED']).toContain(cancelling.status);
    feed.close();

    cloud.child.kill('SIGKILL');
    await once(cloud.child, 'exit');

    cloud = await spawnLocalCloud(env);
    alice = await LoraworksClient.signIn(cloud.apiUrl, 'alice');
    expect(cloud.output()).toMatch(/reconciled \d+ unfinished job/);
    const final = await eventually(async () => {
      const { jobs: listed } = await alice.expect<{ jobs: Job[] }>(200, 'GET', '/jobs');
      return listed.length === jobs.length && listed.every((j) => TERMINAL.includes(j.status)) ? listed : undefined;
    }, 'every job to finish after the restart', 120_000);

    expect(final.filter((j) => j.status === 'RUNNING')).toEqual([]);
    const { emulatorUrl } = (await (await fetch(`${cloud.url}/__local/info`)).json()) as { emulatorUrl: string };
    const trainer = new EmulatorClient(emulatorUrl);
    for (const [i, job] of jobs.entries()) {
      const end = final.find((j) => j.id === job.id)!;
      const records = await trainer.requestsFor(`kill-${run}-${i}`);
      const what = `job ${i} ${end.status} ${JSON.stringify(end.error ?? '')}; trainer ${JSON.stringify(records.map((r) => r.status))}`;
      expect(records.length, what).toBeLessThanOrEqual(1);
      if (i === 5) {
        expect(end.status, what).toBe('CANCELLED');
      } else {
        expect(end.status, what).toBe('COMPLETED');
        expect(records[0]?.status, what).toBe('COMPLETED');
        expect(end.artifact?.sha256, what).toMatch(/^[0-9a-f]{64}$/);
      }
    }
    expect(await cloud.interrupt(), cloud.output()).toBe(0);
  }, 240_000);
});
