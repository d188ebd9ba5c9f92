import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalCloud } from '#local/cloud';
import type { Template } from '#lib/cloudformation';
import { StackTemplate } from '#local/template';
import { buildApp } from '#lib/synth';
import type { Dataset, Job } from '#domain/schemas';
import { makeDatasetZip } from '#support/dataset-zip';
import { LoraworksClient } from '#support/local-cloud-client';
import { spawnLocalCloud } from '#support/local-cloud-process';
import { useTempDir } from '#support/temp-dir';

const dataDir = useTempDir('loraworks-lc-');

/** A test that starts `npm start`'s own process pays its cold start (tsx, the CDK synth, two child processes)
 * each time: ~15 s on an idle two-core machine, more beside the suite's other local clouds. */
const SPAWNED_TIMEOUT_MS = 150_000;

describe('the local cloud', () => {
  it('runs the state machine of the synthesized CDK stack, not a copy', async () => {
    const cloud = await startLocalCloud({ port: 0, dataDir: join(dataDir(), 'asl') });
    try {
      const { app, stack } = buildApp({ bundling: false });
      const template = app.synth().getStackByName(stack.stackName).template as Template;
      const machine = Object.values(template.Resources ?? {}).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
      const definition = machine!.Properties!.DefinitionString as { 'Fn::Join': [string, (string | { 'Fn::GetAtt': [string, string] })[]] };
      const [, parts] = definition['Fn::Join'];
      // Each function reference in the CDK definition must be the handler the local cloud invokes there.
      const asText = parts
        .map((p) => (typeof p === 'string' ? p : `arn:aws:lambda:us-east-1:000000000000:function:${new StackTemplate(template).handlerOf(p['Fn::GetAtt'][0])}`))
        .join('');
      expect(cloud.stateMachineDefinition).toEqual(JSON.parse(asText));
      const states = (cloud.stateMachineDefinition as { States: Record<string, { Type: string; Resource?: string }> }).States;
      expect(Object.keys(states)).toEqual(expect.arrayContaining(['Submit', 'WaitForTrainer', 'Poll', 'Route', 'Collect', 'CancelRemote', 'MarkFailed']));
      expect(states.Poll?.Resource).toMatch(/function:training-poll$/);
    } finally {
      await cloud.stop();
    }
  });

  it('keeps datasets and jobs across a restart on the same data folder', async () => {
    const env = { LORAWORKS_DATA_DIR: join(dataDir(), 'restart'), LORAWORKS_EMULATOR_STEPS_PER_SECOND: '500' };
    let cloud = await spawnLocalCloud(env);
    let alice = await LoraworksClient.signIn(cloud.apiUrl, 'alice');
    const feed = await alice.connect(cloud.wsUrl);
    const { dataset, version } = await alice.uploadDataset(await makeDatasetZip({ images: 4 }), 'kept across restarts');
    await feed.datasetVersion(dataset.id, version, ['READY']);
    const job = await alice.expect<Job>(201, 'POST', '/jobs', { trainerId: 'fal-ai/flux-lora-fast-training', datasetId: dataset.id, triggerPhrase: 'ohwx', params: { steps: 100 } });
    await feed.job(job.id, 'COMPLETED');
    feed.close();
    expect(await cloud.interrupt(), cloud.output()).toBe(0);

    cloud = await spawnLocalCloud(env);
    try {
      alice = await LoraworksClient.signIn(cloud.apiUrl, 'alice');
      const { datasets } = await alice.expect<{ datasets: Dataset[] }>(200, 'GET', '/datasets');
      expect(datasets.map((d) => d.name)).toContain('kept across restarts');
      const again = await alice.expect<Dataset>(200, 'GET', `/datasets/${dataset.id}`);
      expect(again.versions?.[0]).toMatchObject({ status: 'READY', sizeBytes: expect.any(Number) });
      const kept = await alice.expect<Job>(200, 'GET', `/jobs/${job.id}`);
      expect(kept).toMatchObject({ status: 'COMPLETED', artifact: { sha256: expect.any(String) } });
      const link = await alice.expect<{ url: string; sizeBytes: number }>(200, 'GET', `/jobs/${job.id}/artifact`);
      expect((await (await fetch(link.url)).arrayBuffer()).byteLength).toBe(link.sizeBytes);
    } finally {
      await cloud.interrupt();
    }
  }, SPAWNED_TIMEOUT_MS);

  it('says which port is in use and what to do', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startLocalCloud({ port, dataDir: join(dataDir(), 'busy') })).rejects.toThrow(`Port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('starts with `npm start`’s entry point, announces its URL, and stops cleanly on Ctrl-C', async () => {
    const cloud = await spawnLocalCloud({ LORAWORKS_DATA_DIR: join(dataDir(), 'cli') });
    const config = await (await fetch(`${cloud.url}/config.json`)).json();
    const issuer = `${cloud.url}/dev`;
    expect(config).toEqual({
      apiUrl: `${cloud.url}/api`, wsUrl: cloud.wsUrl,
      auth: { mode: 'oidc', authority: issuer, clientId: 'loraworks-local', scopes: 'openid email profile', logoutUrl: `${issuer}/logout` },
    });
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({ issuer, authorization_endpoint: `${issuer}/oauth2/authorize`, jwks_uri: `${issuer}/.well-known/jwks.json` });
    expect(await cloud.interrupt(), cloud.output()).toBe(0);
  }, SPAWNED_TIMEOUT_MS);
});
