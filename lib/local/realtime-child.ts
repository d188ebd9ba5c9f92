// The push path in a process of its own, as it is a set of services of its own in AWS: the table's stream
// (records come straight from the stream proxy in dynalite's process), its consumer (notify), the WebSocket API
// with its route handlers, and the @connections API. The local cloud's event loop runs every other handler, the
// state machine and the trainer emulator; a push queued behind that work waited hundreds of milliseconds.
//
// Protocol with the parent (realtime-process.ts): prints `<stream port> <@connections port>` once listening;
// then IPC messages: `configure` (environment, routes, stream consumer) before anything is delivered,
// `upgrade` (a WebSocket handshake, with its socket as the handle), `idle` (answered once every record up to a
// sequence number is in and delivered). Exits when its parent goes away (stdin closes).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { createServer, type Socket } from 'node:net';
import type { DynamoDBRecord } from 'aws-lambda';
import { streamPump } from './aws/dynamo-stream-pump';
import { closeServer, startServer } from './http-util';
import { LocalIam } from './aws/iam';
import { LambdaRuntime } from './aws/lambda-runtime';
import type { WebSocketRoutes } from './template';
import { webSocketGateway } from './aws/ws-gateway';

export interface RealtimeConfig {
  env: Record<string, string>;
  routes: WebSocketRoutes;
  streamConsumer: { handler: string; batchSize: number };
  handlersDir: string;
  /** The stack's IAM (LocalIam.toJSON()), enforced on @connections; without it all is allowed. */
  iam?: unknown;
}

/** One line of the stream channel: a write's records, the moment it committed and its sequence number. */
export interface StreamLine {
  seq: number;
  committedAt: number;
  records: DynamoDBRecord[];
}

export interface UpgradeMessage {
  upgrade: { method: string; url: string; headers: IncomingHttpHeaders; remoteAddress: string; head: string };
}

type ParentMessage = { configure: RealtimeConfig } | UpgradeMessage | { idle: number; seq: number };

const send = (message: unknown) => {
  if (process.connected) process.send!(message);
};

let gateway: ReturnType<typeof webSocketGateway> | undefined;
let pump: ReturnType<typeof streamPump> | undefined;
let runtime: LambdaRuntime | undefined;
// Lines that arrive before `configure` (nothing is written before it, but the order of two channels is not promised).
const early: StreamLine[] = [];
let received = 0;
const waiting: { seq: number; resolve: () => void }[] = [];

function deliver(line: StreamLine) {
  received = Math.max(received, line.seq);
  pump!.push(line.records);
  for (const w of waiting.filter((w) => w.seq <= received)) {
    waiting.splice(waiting.indexOf(w), 1);
    w.resolve();
  }
}

// The stream channel: newline-delimited JSON from the stream proxy.
const streams = createServer((socket) => {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    buffered += text;
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, end)) as StreamLine;
      buffered = buffered.slice(end + 1);
      if (pump) deliver(line);
      else early.push(line);
    }
  });
  socket.on('error', () => undefined);
});
await new Promise<void>((resolve) => streams.listen(0, '127.0.0.1', resolve));
const streamPort = (streams.address() as { port: number }).port;

// Handlers reach @connections here, on a port of their own (as in AWS, an endpoint apart from the socket's).
const connections = await startServer((req, res) => gateway ? gateway.connectionsApi(req, res) : void res.writeHead(503).end());

process.on('message', (message: ParentMessage, handle?: Socket) => {
  if ('configure' in message) {
    const { env, routes, streamConsumer, handlersDir, iam } = message.configure;
    Object.assign(process.env, env, { WS_MANAGEMENT_URL: `${connections.url}/ws` });
    const functions = new LambdaRuntime(handlersDir);
    runtime = functions;
    gateway = webSocketGateway({ routes, runtime: functions, path: '/ws', stage: 'local', ...(iam ? { iam: LocalIam.fromJSON(iam) } : {}) });
    pump = streamPump(async (records) => {
      await functions.call(streamConsumer.handler, { Records: records });
    }, streamConsumer.batchSize);
    for (const line of early.splice(0)) deliver(line);
    send({ configured: true });
  } else if ('upgrade' in message && handle) {
    const { method, url, headers, remoteAddress, head } = message.upgrade;
    const req = { method, url, headers, socket: { remoteAddress } } as unknown as IncomingMessage;
    if (gateway) gateway.upgrade(req, handle, Buffer.from(head, 'base64'));
    else handle.destroy();
  } else if ('idle' in message) {
    const { idle, seq } = message;
    const arrived = seq <= received ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ seq, resolve }));
    void arrived.then(() => pump?.idle()).then(() => send({ idled: idle }));
  }
});
process.stdout.write(`${streamPort} ${connections.port}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  gateway?.close();
  streams.close();
  void closeServer(connections.server).then(() => runtime?.stop()).then(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', () => {}); // Ctrl-C reaches the whole group; the parent decides when this stops.
