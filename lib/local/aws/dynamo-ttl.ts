// DynamoDB TTL for dynalite, which has none: a sweeper that scans the table for items whose TTL attribute is a
// number (epoch seconds) at or before now and deletes each through the stream proxy, so the REMOVE record carries
// `userIdentity {type: "Service", principalId: "dynamodb.amazonaws.com"}` as a TTL delete does in DynamoDB.
// AWS deletes expired items some time (typically days) after their TTL; locally a sweep every `intervalMs` stands
// in. Until swept, expired items are still returned by reads, as in AWS.
import type { StreamProxy } from './dynamo-stream-proxy';
import type { DynaliteCall } from './dynalite-client';
import type { Item, Key } from './dynamo-wire';

export interface TtlSweeper {
  /** One pass over the table; resolves with how many items it deleted. */
  sweep(): Promise<number>;
  /** Sweeps every `intervalMs` until stopped. */
  start(intervalMs: number): void;
  stop(): void;
}

export function ttlSweeper(options: {
  call: DynaliteCall;
  proxy: Pick<StreamProxy, 'expire'>;
  table: string;
  keys: string[];
  ttlAttribute: string;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}): TtlSweeper {
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function pass(): Promise<number> {
    const nowSeconds = Math.floor(now() / 1000);
    let deleted = 0;
    let start: Key | undefined;
    do {
      const page = await options.call('Scan', {
        TableName: options.table,
        FilterExpression: 'attribute_type(#ttl, :n) AND #ttl <= :now',
        ExpressionAttributeNames: { '#ttl': options.ttlAttribute },
        ExpressionAttributeValues: { ':n': { S: 'N' }, ':now': { N: String(nowSeconds) } },
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const item of (page.Items ?? []) as Item[]) {
        const key = Object.fromEntries(options.keys.map((k) => [k, item[k]!])) as Key;
        if (await options.proxy.expire(options.table, key, options.ttlAttribute, nowSeconds)) deleted += 1;
      }
      start = page.LastEvaluatedKey as Key | undefined;
    } while (start);
    return deleted;
  }

  const sweep = () => {
    running ??= pass().finally(() => { running = undefined; });
    return running;
  };

  return {
    sweep,
    start(intervalMs) {
      timer = setInterval(() => {
        sweep().catch((error: Error) => console.error(`[dynamodb] the TTL sweep of ${options.table} failed: ${error.message}`));
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
