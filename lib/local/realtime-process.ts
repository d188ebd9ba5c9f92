// Starts the push path (realtime-child.ts: stream consumer, WebSocket API, @connections) as a child process.
// `streamPort` is where the stream proxy sends records; `connectionsUrl` the @connections API handlers post to.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { startLocalChild } from './child-process';
import type { RealtimeConfig, UpgradeMessage } from './realtime-child';
import type { StackTemplate } from './template';

/** The AWS SDK's own settings (region, credentials, the local endpoints) that the functions' clients read, and
 * the logger's level (Lambda's runtime sets these itself; the template does not declare them). */
const RUNTIME_VARIABLE = /^(?:AWS_(?:REGION|DEFAULT_REGION|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|ENDPOINT_URL(?:_[A-Z0-9_]+)?|LAMBDA_LOG_LEVEL)|POWERTOOLS_LOG_LEVEL)$/;

/**
 * The environment of the push path's functions: the variables the template declares for them (the WebSocket
 * routes, their authorizer, the stream consumer), with the local cloud's values, and the runtime's settings.
 * Nothing else: no trainer key or other function's setting reaches that process.
 */
export function realtimeEnvironment(template: StackTemplate, env: NodeJS.ProcessEnv): Record<string, string> {
  const { routes, authorizer } = template.webSocketRoutes();
  const handlers = [...Object.values(routes), ...(authorizer ? [authorizer] : []), template.streamConsumer().handler];
  const declared = new Set(template.environmentOf(handlers));
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] =>
    e[1] !== undefined && (declared.has(e[0]) || RUNTIME_VARIABLE.test(e[0]))));
}

export interface RealtimeProcess {
  pid: number;
  streamPort: number;
  connectionsUrl: string;
  /** Gives the child its environment and routes; records and sockets are handled only after this. */
  configure(config: RealtimeConfig): Promise<void>;
  /** Hands a WebSocket handshake (and its socket) to the child. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Resolves once the records up to `seq` have arrived and the consumer has taken every one. */
  idle(seq: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRealtimeProcess(): Promise<RealtimeProcess> {
  const local = await startLocalChild(new URL('./realtime-child.ts', import.meta.url), [], 'the realtime process');
  const { child, ports: [streamPort, connectionsPort] } = local;
  let idles = 0;
  const idled = new Map<number, () => void>();
  let configured: (() => void) | undefined;
  child.on('message', (message: { idled?: number; configured?: boolean }) => {
    if (message.configured) configured?.();
    if (message.idled !== undefined) {
      idled.get(message.idled)?.();
      idled.delete(message.idled);
    }
  });
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`[local] the realtime process (WebSocket pushes) stopped unexpectedly (${signal ?? code}); restart Loraworks.`);
  });
  return {
    pid: child.pid!,
    streamPort: streamPort!,
    connectionsUrl: `http://127.0.0.1:${connectionsPort}`,
    configure: (config) => new Promise<void>((resolve) => {
      configured = resolve;
      child.send({ configure: config });
    }),
    upgrade(req, socket, head) {
      const message: UpgradeMessage = {
        upgrade: { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, remoteAddress: req.socket.remoteAddress ?? '', head: head.toString('base64') },
      };
      if (child.connected) child.send(message, socket as Socket);
      else socket.destroy();
    },
    idle: (seq) => (child.connected ? new Promise<void>((resolve) => {
      idles += 1;
      idled.set(idles, resolve);
      child.send({ idle: idles, seq });
    }) : Promise.resolve()),
    stop() {
      stopping = true;
      return local.stop();
    },
  };
}
