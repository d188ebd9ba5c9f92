// Starts dynalite (persisted in `path`) and its stream proxy (aws/dynamo-stream-proxy.ts) as a child process; `url` is the
// proxy, which handlers use, `tableUrl` dynalite itself (for creating the table). The stream's records go to
// the consumer's port given to subscribe(). stop() ends it cleanly.
import type { DynamoDBRecord } from 'aws-lambda';
import { startLocalChild } from './child-process';

export interface DynaliteProcess {
  url: string;
  tableUrl: string;
  /** Sends the stream's records (newline-delimited JSON, realtime-child.ts) to this port from now on. */
  subscribe(port: number): void;
  /** Also hands each write's records to `listener` here, with the moment the write committed. */
  forward(listener: (records: DynamoDBRecord[], committedAt: number) => void): void;
  /** The sequence number of the last record sent, once every write answered so far has had its records sent. */
  sync(): Promise<number>;
  /**
   * Expires items as DynamoDB's TTL does: those of `table` whose `attribute` (epoch seconds) has passed are deleted
   * with a REMOVE record from the TTL service (aws/dynamo-ttl.ts), every `intervalMs` (0: only when asked).
   */
  expireItems(ttl: { table: string; keys: string[]; attribute: string; intervalMs: number }): void;
  /** One TTL pass now, or as if the clock read `at`; resolves with how many items it deleted. */
  sweepTtl(at?: Date): Promise<number>;
  stop(): Promise<void>;
}

/** `iam`: the stack's IAM (LocalIam.toJSON()), enforced on every request to the proxy; without it all is allowed. */
export async function startDynaliteProcess(path: string, iam?: unknown): Promise<DynaliteProcess> {
  const args = iam === undefined ? [path] : [path, JSON.stringify(iam)];
  const { child, ports: [tablePort, proxyPort], stop } = await startLocalChild(new URL('./dynalite-child.ts', import.meta.url), args, 'dynalite');
  let syncs = 0;
  const synced = new Map<number, (seq: number) => void>();
  let sweeps = 0;
  const swept = new Map<number, { resolve: (deleted: number) => void; reject: (error: Error) => void }>();
  const listeners: ((records: DynamoDBRecord[], committedAt: number) => void)[] = [];
  child.on('message', (message: { records?: DynamoDBRecord[]; committedAt?: number; synced?: number; seq?: number; swept?: number; deleted?: number; error?: string }) => {
    if (message.swept !== undefined) {
      const waiter = swept.get(message.swept);
      swept.delete(message.swept);
      if (message.error !== undefined) waiter?.reject(new Error(`The TTL sweep failed: ${message.error}`));
      else waiter?.resolve(message.deleted ?? 0);
    }
    if (message.records) for (const listener of listeners) listener(message.records, message.committedAt!);
    if (message.synced !== undefined) {
      synced.get(message.synced)?.(message.seq!);
      synced.delete(message.synced);
    }
  });
  return {
    url: `http://127.0.0.1:${proxyPort}`,
    tableUrl: `http://127.0.0.1:${tablePort}`,
    subscribe: (port) => void child.send({ subscribe: port }),
    forward(listener) {
      if (!listeners.length) child.send({ forward: true });
      listeners.push(listener);
    },
    // One IPC channel carries forwarded records and answers in order: the answer comes after every record sent before it.
    sync: () => (child.connected ? new Promise<number>((resolve) => {
      syncs += 1;
      synced.set(syncs, resolve);
      child.send({ sync: syncs });
    }) : Promise.resolve(0)),
    expireItems: (ttl) => void child.send({ ttl }),
    sweepTtl: (at) => new Promise<number>((resolve, reject) => {
      if (!child.connected) return reject(new Error('The DynamoDB process has stopped.'));
      sweeps += 1;
      swept.set(sweeps, { resolve, reject });
      child.send({ sweep: sweeps, ...(at ? { now: at.getTime() } : {}) });
    }),
    stop,
  };
}
