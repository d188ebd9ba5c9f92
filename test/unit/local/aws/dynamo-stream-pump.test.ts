// The local stream's consumer side: batches as Lambda reads a stream, one item's records in order.
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { streamPump } from '#local/aws/dynamo-stream-pump';

describe('delivering stream records to the consumer', () => {
  /** A consumer whose batches end when the test says so. */
  function heldConsumer() {
    const batches: { records: string[]; done: () => void }[] = [];
    const deliver = (records: DynamoDBRecord[]) => new Promise<void>((resolve) => {
      batches.push({ records: records.map((r) => `${r.dynamodb!.Keys!.SK!.S}:${r.dynamodb!.SequenceNumber}`), done: resolve });
    });
    return { batches, deliver };
  }
  const rec = (id: string, seq: number): DynamoDBRecord => ({ dynamodb: { Keys: { PK: { S: 'OWNER#alice' }, SK: { S: id } } as never, SequenceNumber: String(seq) } });
  /** Lets the pump react to a finished batch (its bookkeeping runs in promise callbacks). */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  it("keeps one item's records in order and never delivers two batches of one item at once", async () => {
    const consumer = heldConsumer();
    const pump = streamPump(consumer.deliver, 10);
    pump.push([rec('a', 1)]);
    pump.push([rec('a', 2), rec('a', 3)]);
    expect(consumer.batches.map((b) => b.records)).toEqual([['a:1']]);
    consumer.batches[0]!.done();
    await settle();
    expect(consumer.batches.map((b) => b.records)).toEqual([['a:1'], ['a:2', 'a:3']]);
  });

  it("does not hold other items' records behind a slow batch", async () => {
    const consumer = heldConsumer();
    const pump = streamPump(consumer.deliver, 100);
    pump.push([rec('slow', 0)]);
    const others = Array.from({ length: 30 }, (_, i) => rec(`other-${i}`, i + 1));
    pump.push([rec('slow', 99), ...others]);
    const delivered = consumer.batches.flatMap((b) => b.records);
    expect(delivered).toEqual(['slow:0', ...others.map((r) => `${r.dynamodb!.Keys!.SK!.S}:${r.dynamodb!.SequenceNumber}`)]);
  });

  it('runs at most `concurrency` batches at a time, and says when it is idle', async () => {
    const consumer = heldConsumer();
    const pump = streamPump(consumer.deliver, 1, 2);
    pump.push([rec('a', 1), rec('b', 2), rec('c', 3)]);
    expect(consumer.batches.map((b) => b.records)).toEqual([['a:1'], ['b:2']]);
    let idle = false;
    const idleNow = pump.idle().then(() => { idle = true; });
    consumer.batches[1]!.done();
    await settle();
    expect(consumer.batches.map((b) => b.records)).toEqual([['a:1'], ['b:2'], ['c:3']]);
    consumer.batches[0]!.done();
    await settle();
    expect(idle, 'idle while a batch is still being delivered').toBe(false);
    consumer.batches[2]!.done();
    await idleNow;
    expect(idle).toBe(true);
  });

  it('goes on after a consumer failure', async () => {
    const delivered: string[] = [];
    const pump = streamPump(async (records) => {
      delivered.push(...records.map((r) => String(r.dynamodb!.SequenceNumber)));
      if (delivered.length === 1) throw new Error('consumer broke');
    }, 1);
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      pump.push([rec('a', 1), rec('a', 2)]);
      await pump.idle();
    } finally {
      console.error = original;
    }
    expect(delivered).toEqual(['1', '2']);
    expect(errors).toHaveLength(1);
  });
});
