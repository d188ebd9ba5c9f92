// One local cloud for a test file: its own data folder, a signed-in user with their WebSocket open, and one
// call that takes it all down again (or hooks that do both around the file's tests).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '#local/cloud';
import { LoraworksClient, type LiveFeed } from './local-cloud-client';

export interface CloudSession {
  cloud: LocalCloud;
  /** The cloud's data folder (its development issuer's key is there). */
  dataDir: string;
  client: LoraworksClient;
  feed: LiveFeed;
  stop(): Promise<void>;
}

export interface SessionOptions {
  /** The trainer emulator's speed. */
  stepsPerSecond: number;
  /** Who signs in. @default 'alice' */
  user?: string;
  /** What the trainer secret holds, the keys the emulator accepts, the TTL sweep (LocalCloudOptions). */
  cloud?: Pick<LocalCloudOptions, 'trainerKeys' | 'emulatorKeys' | 'ttlSweepMs'>;
}

export async function startCloudSession(name: string, options: SessionOptions): Promise<CloudSession> {
  const dataDir = await mkdtemp(join(tmpdir(), `loraworks-${name}-`));
  const cloud = await startLocalCloud({ port: 0, dataDir, emulatorStepsPerSecond: options.stepsPerSecond, ...options.cloud });
  const client = await LoraworksClient.signIn(cloud.apiUrl, options.user ?? 'alice');
  const feed = await client.connect(cloud.wsUrl);
  return {
    cloud, client, feed, dataDir,
    async stop() {
      feed.close();
      await cloud.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A session for the whole test file: started in a beforeAll registered here (so before the file's own), stopped
 * after the file's tests. Its fields are there once the hooks have run: read them inside hooks and tests.
 */
export function useCloudSession(name: string, options: SessionOptions, startTimeoutMs?: number): Omit<CloudSession, 'stop'> {
  const session = {} as CloudSession;
  beforeAll(async () => {
    Object.assign(session, await startCloudSession(name, options));
  }, startTimeoutMs);
  afterAll(() => session.stop?.());
  return session;
}
