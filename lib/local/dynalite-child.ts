// dynalite and the stream proxy in front of it, in a process of their own: every table operation and its stream
// record are worked out apart from the local cloud's event loop. Records go, each with the moment its write
// committed and a sequence number, as newline-delimited JSON straight to the stream consumer's process (its port
// comes in a `subscribe` message; records wait here until then), and over IPC to the parent too once it asks
// (`forward`, for benchmarks). It prints dynalite's port and the proxy's once listening, answers a `sync` with
// the last sequence number sent, and exits when its parent goes away (stdin closes), even if it was killed.
import dynalite from 'dynalite';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { dynaliteClient } from './aws/dynalite-client';
import { dynamoStreamProxy } from './aws/dynamo-stream-proxy';
import { ttlSweeper, type TtlSweeper } from './aws/dynamo-ttl';
import { LocalIam } from './aws/iam';
import { closeServer, listen, startServer } from './http-util';

const send = (message: unknown) => {
  if (process.connected) process.send!(message);
};

let seq = 0;
let forward = false;
let consumer: Socket | undefined;
const unsent: string[] = [];

const table = dynalite({ path: process.argv[2], createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const tablePort = await listen(table, 0);
// The stack's IAM (LocalIam.toJSON()), when the parent enforces it: every request is authorized for its signer.
const iam = process.argv[3] ? LocalIam.fromJSON(JSON.parse(process.argv[3])) : undefined;
const proxy = dynamoStreamProxy({
  ...(iam ? { iam } : {}),
  dynaliteUrl: `http://127.0.0.1:${tablePort}`,
  reads: table.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void,
  onRecords: (records) => {
    const committedAt = Date.now();
    const line = `${JSON.stringify({ seq: ++seq, committedAt, records })}\n`;
    if (consumer) consumer.write(line);
    else unsent.push(line);
    if (forward) send({ records, committedAt });
  },
});
const front = await startServer((req, res) => proxy.handle(req, res));
const { call } = dynaliteClient(`http://127.0.0.1:${tablePort}`);
interface TtlMessage { table: string; keys: string[]; attribute: string; intervalMs: number }
let ttl: TtlMessage | undefined;
let sweeper: TtlSweeper | undefined;
/** A sweep as of `now` (a test's clock), or of the real time. */
const sweepAt = (now?: number) => {
  if (!ttl) return Promise.resolve(0);
  if (now === undefined) return sweeper!.sweep();
  return ttlSweeper({ call, proxy, table: ttl.table, keys: ttl.keys, ttlAttribute: ttl.attribute, now: () => now }).sweep();
};
process.on('message', (message: { sync?: number; subscribe?: number; forward?: boolean; ttl?: TtlMessage; sweep?: number; now?: number }) => {
  if (message.ttl) {
    ttl = message.ttl;
    sweeper?.stop();
    sweeper = ttlSweeper({ call, proxy, table: ttl.table, keys: ttl.keys, ttlAttribute: ttl.attribute });
    if (ttl.intervalMs > 0) sweeper.start(ttl.intervalMs);
  }
  if (message.sweep !== undefined) {
    const id = message.sweep;
    sweepAt(message.now).then(
      (deleted) => send({ swept: id, deleted }),
      (error: Error) => send({ swept: id, error: error.message }),
    );
  }
  if (message.subscribe !== undefined) {
    const socket = connect(message.subscribe, '127.0.0.1', () => {
      socket.setNoDelay(true);
      consumer = socket;
      for (const line of unsent.splice(0)) socket.write(line);
    });
    socket.on('error', (error) => console.error(`[streams] the stream consumer's channel failed: ${error.message}`));
  }
  if (message.forward) forward = true;
  if (message.sync !== undefined) send({ synced: message.sync, seq });
});
process.stdout.write(`${tablePort} ${front.port}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  sweeper?.stop();
  // Open keep-alive connections would hold a plain close() up to their timeout.
  void closeServer(front.server).then(() => {
    table.closeAllConnections();
    table.close(() => process.exit(0));
  });
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', () => {}); // Ctrl-C reaches the whole group; the parent decides when the table stops.
