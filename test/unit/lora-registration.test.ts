// Registering a completed job's LoRA, against a real (in-process) dynalite so the write condition is evaluated
// the way DynamoDB evaluates it (through the local cloud's proxy, which adds the transactions dynalite lacks): one
// job is one registration, even when two requests register it at once.
import './handler-env';
import { createTestTable } from '#support/test-table';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoStreamProxy } from '#local/aws/dynamo-stream-proxy';
import { closeServer, listen, startServer } from '#local/http-util';
import { jobItem } from './handler-env';

let table: Server;
let proxyServer: Server;
beforeAll(async () => {
  table = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(table, 0);
  const proxy = dynamoStreamProxy({ dynaliteUrl: `http://127.0.0.1:${port}`, onRecords: () => undefined });
  const started = await startServer((req, res) => proxy.handle(req, res));
  proxyServer = started.server;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = started.url;
  await createTestTable(process.env.AWS_ENDPOINT_URL_DYNAMODB);
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await closeServer(proxyServer);
  await closeServer(table);
});

// Imported after the endpoint is known: the table client is created on first use.
const { ddb } = await import('#adapters/table');
const { registerLora } = await import('#app/register-lora');
const { deleteRegisteredLora, listRegisteredLoras } = await import('#adapters/lora-registry-store');

const artifact = { fileName: 'lora.safetensors', sizeBytes: 1234, sha256: 'ab'.repeat(32) };
const completedJob = (id: string) => jobItem({ id, SK: `JOB#${id}`, GSI1PK: `JOB#${id}`, status: 'COMPLETED', artifact });

describe('registering a job as a LoRA', () => {
  it('refuses a second registration of the same job and names the first', async () => {
    await ddb().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: completedJob('J1') }));
    const first = await registerLora('alice', 'J1', 'Faces v1', new Date());
    const second = registerLora('alice', 'J1', 'Faces again', new Date());
    await expect(second).rejects.toMatchObject({ status: 409, code: 'JOB_ALREADY_REGISTERED' });
    await expect(second).rejects.toThrow(first.id);
    await expect(second).rejects.toThrow('Faces v1');
    const registered = (await listRegisteredLoras('alice')).filter((lora) => lora.jobId === 'J1');
    expect(registered.map((lora) => lora.id)).toEqual([first.id]);
  });

  it('lets only one of two simultaneous registrations of a job win', async () => {
    await ddb().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: completedJob('J2') }));
    const outcomes = await Promise.allSettled([
      registerLora('alice', 'J2', 'One', new Date()),
      registerLora('alice', 'J2', 'Two', new Date()),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected');
    expect(refused?.reason).toMatchObject({ status: 409, code: 'JOB_ALREADY_REGISTERED' });
    expect((await listRegisteredLoras('alice')).filter((lora) => lora.jobId === 'J2')).toHaveLength(1);
  });

  it('registers a job again once its registration is deleted', async () => {
    await ddb().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: completedJob('J3') }));
    const first = await registerLora('alice', 'J3', 'Old', new Date());
    expect(await deleteRegisteredLora('alice', first.id)).toBe(true);
    const again = await registerLora('alice', 'J3', 'New', new Date());
    expect((await listRegisteredLoras('alice')).filter((lora) => lora.jobId === 'J3').map((lora) => lora.name)).toEqual([again.name]);
  });
});
