// dynalite and the stream proxy in front of it, in a process of their own: every table operation and its stream
// record are worked out on the machine's other core, and the local cloud's event loop only sees the handlers'
// requests and the records (over IPC, each with the moment its write committed). It prints dynalite's port and
// the proxy's once listening, answers a `sync` once every record sent before it is on its way, and exits when
// its parent goes away (stdin closes), even if the parent was killed.
import dynalite from 'dynalite';
import { dynamoStreamProxy } from './dynamo-streams';
import { closeServer, listen, startServer } from './http-util';

const send = (message: unknown) => {
  if (process.connected) process.send!(message);
};

const table = dynalite({ path: process.argv[2], createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const tablePort = await listen(table, 0);
const proxy = dynamoStreamProxy({
  dynaliteUrl: `http://127.0.0.1:${tablePort}`,
  onRecords: (records) => send({ records, committedAt: Date.now() }),
});
const front = await startServer((req, res) => proxy.handle(req, res));
process.on('message', (message: { sync?: number }) => {
  if (message.sync !== undefined) send({ synced: message.sync });
});
process.stdout.write(`${tablePort} ${front.port}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
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
