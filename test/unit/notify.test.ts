import './handler-env';
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '#handlers/notify';
import { jobItem, readyVersion } from './handler-env';

const ddb = mockClient(DynamoDBDocumentClient);
const ws = mockClient(ApiGatewayManagementApiClient);

const streamOf = (...items: Record<string, unknown>[]): DynamoDBStreamEvent => ({
  Records: items.map((item) => ({ eventName: 'MODIFY', dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }) as never } })),
});
const sentTo = (connectionId: string) =>
  ws.commandCalls(PostToConnectionCommand).filter((call) => call.args[0].input.ConnectionId === connectionId)
    .map((call) => JSON.parse(Buffer.from(call.args[0].input.Data as Uint8Array).toString()));

beforeEach(() => {
  ddb.reset();
  ws.reset();
  ddb.on(QueryCommand).resolves({ Items: [{ connectionId: 'c-live' }, { connectionId: 'c-stale' }] });
  ddb.on(DeleteCommand).resolves({});
  ws.on(PostToConnectionCommand).resolves({});
  ws.on(PostToConnectionCommand, { ConnectionId: 'c-stale' }).rejects(new GoneException({ message: 'gone', $metadata: {} }));
});

describe('pushing changes to the browser', () => {
  it("sends a job change to every connection of the job's owner, without internal fields", async () => {
    await handler(streamOf(jobItem({ status: 'RUNNING', remote: { provider: 'fal', endpoint: 'x', requestId: 'r' } })));
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues![':pk']).toBe('OWNER#alice');
    const [message] = sentTo('c-live');
    expect(message.type).toBe('job');
    expect(message.job).toMatchObject({ id: '01JOB', status: 'RUNNING' });
    for (const hidden of ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'owner', 'remote', 'type']) expect(message.job).not.toHaveProperty(hidden);
  });

  it('deletes the connection that is gone, and only that one', async () => {
    await handler(streamOf(jobItem()));
    const deletes = ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key);
    expect(deletes).toEqual([{ PK: 'OWNER#alice', SK: 'CONN#c-stale' }]);
  });

  it('sends dataset version changes with the dataset id', async () => {
    await handler(streamOf(readyVersion()));
    const [message] = sentTo('c-live');
    expect(message).toMatchObject({ type: 'dataset', datasetId: 'ds1', version: { version: 1, status: 'READY' } });
    expect(message.version).not.toHaveProperty('owner');
  });

  it('sends a schedule change with its next and last run, without internal fields; a delete sends nothing', async () => {
    const lastRun = { id: '01RUN', scheduleId: '01SCHED', at: '2026-06-08T01:00:00.000Z', outcome: 'SKIPPED', datasetVersion: 3, reason: 'dataset unchanged since v3' };
    const schedule = {
      PK: 'OWNER#alice', SK: 'SCHEDULE#01SCHED', type: 'Schedule', owner: 'alice', id: '01SCHED', name: 'weekly', datasetId: 'ds1',
      trainerId: 'fal-ai/flux-lora-fast-training', triggerPhrase: '', params: {}, expression: 'rate(7 days)', timezone: 'UTC',
      onlyIfDatasetChanged: true, autoRegister: false, enabled: true, lastTrainedVersion: 3, lastRun,
      createdAt: '2026-06-01T00:00:00.000Z', updatedAt: '2026-06-01T00:00:00.000Z',
    };
    await handler(streamOf(schedule));
    const [message] = sentTo('c-live');
    expect(message).toMatchObject({ type: 'schedule', schedule: { id: '01SCHED', lastRun, nextRunAt: expect.any(String) } });
    for (const hidden of ['PK', 'SK', 'owner', 'type', 'lastTrainedVersion']) expect(message.schedule).not.toHaveProperty(hidden);
    ws.resetHistory();
    await handler({ Records: [{ eventName: 'REMOVE', dynamodb: { OldImage: marshall(schedule) as never } }] });
    expect(ws.commandCalls(PostToConnectionCommand)).toHaveLength(0);
  });

  it('sends a registered LoRA (a schedule registers one when its job completes), as GET /adapters lists it', async () => {
    const artifact = { fileName: 'lora.safetensors', sizeBytes: 10, sha256: 'ab' };
    await handler(streamOf({
      PK: 'OWNER#alice', SK: 'ADAPTER#01AD', type: 'Adapter', owner: 'alice', id: '01AD', name: 'weekly · cats v1', source: 'schedule',
      jobId: '01JOB', trainerId: 'fal-ai/flux-lora-fast-training', triggerPhrase: 'lwx', artifact, createdAt: '2026-06-08T01:00:00.000Z',
    }));
    const [message] = sentTo('c-live');
    expect(message).toEqual({ type: 'adapter', adapter: {
      id: '01AD', name: 'weekly · cats v1', source: 'schedule', jobId: '01JOB', trainerId: 'fal-ai/flux-lora-fast-training', triggerPhrase: 'lwx',
      artifact, artifacts: [{ name: 'lora.safetensors', role: 'lora', sizeBytes: 10, sha256: 'ab' }], createdAt: '2026-06-08T01:00:00.000Z',
    } });
  });

  it('pushes an import\'s check ending it READY, never the claim of the check, nor the import\'s internal fields', async () => {
    const checking = { PK: 'OWNER#alice', SK: 'ADAPTER#01IM', type: 'Adapter', owner: 'alice', id: '01IM', name: 'Imported', source: 'import',
      status: 'CHECKING', artifacts: [], importFile: { fileName: 'x.safetensors', sizeBytes: 10 }, createdAt: '2026-06-08T01:00:00.000Z' };
    const claimed = { ...checking, checkClaimedAt: '2026-06-08T01:00:01.000Z' };
    const ready = { ...checking, status: 'READY', artifacts: [{ name: 'x.safetensors', role: 'lora', sizeBytes: 10, sha256: 'cd' }] };
    const change = (newItem: Record<string, unknown>, oldItem: Record<string, unknown>): DynamoDBStreamEvent => ({ Records: [{ eventName: 'MODIFY', dynamodb: {
      NewImage: marshall(newItem) as never, OldImage: marshall(oldItem) as never } }] });
    await handler(change(claimed, checking));
    expect(sentTo('c-live')).toEqual([]);
    await handler(change(ready, claimed));
    const [message] = sentTo('c-live');
    expect(message.adapter).toMatchObject({ id: '01IM', status: 'READY', artifacts: [{ name: 'x.safetensors' }] });
    expect(message.adapter).not.toHaveProperty('importFile');
    expect(message.adapter).not.toHaveProperty('checkClaimedAt');
  });

  it('ignores records that are not jobs, dataset versions, schedules or LoRAs', async () => {
    await handler(streamOf({ PK: 'OWNER#alice', SK: 'CONN#c1', type: 'Connection', owner: 'alice' }));
    expect(ws.commandCalls(PostToConnectionCommand)).toHaveLength(0);
  });
});
