// DynamoDB TTL in the local cloud: connection and idempotency items carry `expiresAt` (the table's TTL attribute
// in the template), and once it has passed the sweep deletes them as DynamoDB's TTL does, each with a REMOVE
// stream record from the TTL service. The sweep is run here as if the clock read a day later.
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '#domain/schemas';
import { useCloudSession } from '#support/cloud-session';
import { makeDatasetZip } from '#support/dataset-zip';

/** Signed in as alice with her WebSocket open; no sweep runs unless the test asks for one. */
const session = useCloudSession('ttl', { stepsPerSecond: 500, cloud: { ttlSweepMs: 0 } });
const records: DynamoDBRecord[] = [];
let datasetId: string;

beforeAll(async () => {
  session.cloud.onStreamRecords((batch) => records.push(...batch));
  const { dataset, version } = await session.client.uploadDataset(await makeDatasetZip({ images: 4, size: 300 }));
  expect((await session.feed.datasetVersion(dataset.id, version, ['READY', 'INVALID'])).status).toBe('READY');
  datasetId = dataset.id;
});

const DAY_AND_HOUR_MS = 25 * 3600 * 1000;

describe('DynamoDB TTL, locally', () => {
  it('deletes expired connection and idempotency items with TTL REMOVE records; the same key then starts a new job', async () => {
    const body = { trainerId: 'fal-ai/flux-lora-fast-training', datasetId, triggerPhrase: 'ohwx ttl', params: { steps: 100 } };
    const headers = { 'idempotency-key': 'ttl-key-1' };
    const first = await session.client.expect<Job>(201, 'POST', '/jobs', body, headers);
    expect((await session.client.expect<Job>(201, 'POST', '/jobs', body, headers)).id).toBe(first.id);
    await session.feed.job(first.id, 'COMPLETED', 60_000);

    expect(await session.cloud.sweepTtl()).toBe(0); // nothing has expired yet
    expect(await session.cloud.sweepTtl(new Date(Date.now() + DAY_AND_HOUR_MS))).toBe(2);
    await session.cloud.streamsIdle();
    const removed = records.filter((r) => r.eventName === 'REMOVE');
    expect(removed.map((r) => [r.dynamodb?.Keys?.SK?.S?.replace(/#.*/, '#'), r.userIdentity])).toEqual(expect.arrayContaining([
      ['CONN#', { type: 'Service', principalId: 'dynamodb.amazonaws.com' }],
      ['IDEMP#', { type: 'Service', principalId: 'dynamodb.amazonaws.com' }],
    ]));
    expect(removed).toHaveLength(2);

    // The idempotency record is gone: the same key and body start a new job.
    const second = await session.client.expect<Job>(201, 'POST', '/jobs', body, headers);
    expect(second.id).not.toBe(first.id);
    // The connection record is gone too: the stream consumer took the REMOVE records as TTL deletes (nothing to
    // push), and pushes nothing more to a connection it no longer knows.
    await session.cloud.streamsIdle();
    expect(session.feed.jobMessages(second.id)).toEqual([]);
    expect((await session.client.expect<Job>(200, 'GET', `/jobs/${second.id}`)).id).toBe(second.id);
    // Stop the second job if it is still running (it may have completed already: 409 JOB_FINISHED).
    expect([202, 409]).toContain((await session.client.request('POST', `/jobs/${second.id}/cancel`)).status);
  });
});
