// The push path's process (WebSocket routes, their authorizer, the stream consumer) sees only what the stack
// gives those functions: no trainer key, no setting of another function, nothing of the developer's shell.
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { localTemplate } from '#local/template-cache';
import { realtimeEnvironment, startRealtimeProcess, type RealtimeProcess } from '#local/realtime-process';
import { StackTemplate } from '#local/template';

const SECRETS = { FAL_KEY: 'fal-secret-key', REPLICATE_API_TOKEN: 'r8_secret', TRAINER_SECRET_ARN: 'arn:aws:secretsmanager:local:1:secret:trainers' };

describe('the realtime process environment', () => {
  const started: RealtimeProcess[] = [];
  afterAll(async () => {
    for (const child of started) await child.stop();
  });

  it('holds the variables the template declares for its functions and the SDK settings, and no trainer key', async () => {
    const template = new StackTemplate(await localTemplate());
    const env = realtimeEnvironment(template, {
      ...SECRETS,
      TABLE_NAME: 'loraworks', WS_MANAGEMENT_URL: 'http://127.0.0.1:1/ws', JWT_ISSUER: 'http://localhost/dev', JWT_AUDIENCE: 'loraworks-local',
      AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIALOCAL', AWS_SECRET_ACCESS_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2',
      DATASETS_BUCKET: 'loraworks-datasets', STATE_MACHINE_ARN: 'arn:aws:states:local', SHELL_SECRET: 'hunter2',
    });
    expect(Object.keys(env).sort()).toEqual([
      'AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'JWT_AUDIENCE', 'JWT_ISSUER', 'TABLE_NAME', 'WS_MANAGEMENT_URL',
    ]);
  });

  it('starts without the environment of the process that started it', async () => {
    Object.assign(process.env, SECRETS);
    try {
      const child = await startRealtimeProcess();
      started.push(child);
      const environ = (await readFile(`/proc/${child.pid}/environ`, 'utf8')).split('\0').filter(Boolean).map((line) => line.slice(0, line.indexOf('=')));
      expect(environ).toContain('PATH');
      for (const name of Object.keys(SECRETS)) expect(environ).not.toContain(name);
    } finally {
      for (const name of Object.keys(SECRETS)) delete process.env[name];
    }
  });
});
