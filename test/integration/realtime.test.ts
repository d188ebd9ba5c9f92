// The push path runs in a process of its own (lib/local/realtime-child.ts): the main server hands it each
// WebSocket, records reach it straight from the stream proxy, and the local cloud still stops cleanly with a
// browser connected. In its own file: a local cloud started in-process must be the first of its test process
// (handlers keep their SDK clients, and the endpoints they were created with, for the life of the process).
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startLocalCloud } from '#local/cloud';
import { makeDatasetZip } from '#support/dataset-zip';
import { LoraworksClient } from '#support/local-cloud-client';
import { useTempDir } from '#support/temp-dir';

const dataDir = useTempDir('loraworks-rt-');

describe('the realtime process', () => {
  // The default budget (vitest.config.ts): the first request also starts the HTTP API's authorizer function.
  it('pushes a dataset verdict to a browser connected through the main port, and the cloud stops with it still open', async () => {
    const cloud = await startLocalCloud({ port: 0, dataDir: dataDir() });
    let stopped = false;
    try {
      const alice = await LoraworksClient.signIn(cloud.apiUrl, 'alice');
      const feed = await alice.connect(cloud.wsUrl);
      const { dataset, version } = await alice.uploadDataset(await makeDatasetZip({ images: 4 }));
      await feed.datasetVersion(dataset.id, version, ['READY']);
      await cloud.streamsIdle();
      const socketClosed = once(feed.socket, 'close');
      // A server that handed a socket to a child process waited forever when closed after that child had exited.
      await cloud.stop();
      stopped = true;
      const [code] = (await socketClosed) as [number];
      expect(code).toBe(1006);
    } finally {
      if (!stopped) await cloud.stop();
    }
  });
});
