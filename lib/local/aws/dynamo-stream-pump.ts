// The consumer side of the local DynamoDB stream, in the realtime process (the proxy that makes the records
// runs in dynalite's process, dynamo-stream-proxy.ts).
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * Delivers stream records to the consumer in batches, as Lambda reads a stream with a parallelization factor:
 * up to `concurrency` batches at a time, one item's records always in order (a record waits while an earlier
 * record of its item is being delivered), while a slow batch holds up no other item's records.
 */
export function streamPump(deliver: (records: DynamoDBRecord[]) => Promise<void>, batchSize: number, concurrency = 8) {
  const pending: { key: string; record: DynamoDBRecord }[] = [];
  const delivering = new Set<string>();
  const batches = new Set<Promise<void>>();
  let drained: (() => void) | undefined;

  function next() {
    while (batches.size < concurrency && pending.length) {
      // The oldest records whose items have nothing in delivery and nothing older still waiting.
      const blocked = new Set(delivering);
      const batch: typeof pending = [];
      for (let i = 0; i < pending.length && batch.length < batchSize; i++) {
        const entry = pending[i]!;
        if (blocked.has(entry.key)) continue;
        batch.push(entry);
        pending.splice(i--, 1);
        // A second record of the item in this batch is fine: a batch is delivered in order.
      }
      if (!batch.length) break;
      for (const { key } of batch) delivering.add(key);
      const running: Promise<void> = deliver(batch.map((e) => e.record))
        .catch((error: unknown) => console.error(`[streams] consumer failed on a batch of ${batch.length}: ${(error as Error).message}`))
        .finally(() => {
          for (const { key } of batch) delivering.delete(key);
          batches.delete(running);
          next();
          if (!batches.size && !pending.length) drained?.();
        });
      batches.add(running);
    }
  }

  return {
    push(records: DynamoDBRecord[]) {
      for (const record of records) pending.push({ key: JSON.stringify(record.dynamodb?.Keys ?? {}), record });
      next();
    },
    idle: (): Promise<void> => (!batches.size && !pending.length ? Promise.resolve() : new Promise((resolve) => {
      const previous = drained;
      drained = () => { drained = undefined; previous?.(); resolve(); };
    })),
  };
}
