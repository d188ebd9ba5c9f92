// One local cloud for a test file: its own data folder, a signed-in user with their WebSocket open, and one
// call that takes it all down again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud';
import { LoraworksClient, type LiveFeed } from './local-cloud-client';

export interface CloudSession {
  cloud: LocalCloud;
  client: LoraworksClient;
  feed: LiveFeed;
  stop(): Promise<void>;
}

export async function startCloudSession(name: string, options: { stepsPerSecond: number; user?: string }): Promise<CloudSession> {
  const dataDir = await mkdtemp(join(tmpdir(), `loraworks-${name}-`));
  const cloud = await startLocalCloud({ port: 0, dataDir, emulatorStepsPerSecond: options.stepsPerSecond });
  const client = await LoraworksClient.signIn(cloud.apiUrl, options.user ?? 'alice');
  const feed = await client.connect(cloud.wsUrl);
  return {
    cloud, client, feed,
    async stop() {
      feed.close();
      await cloud.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
