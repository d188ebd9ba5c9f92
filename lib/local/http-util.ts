import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';

export async function readBody(req: IncomingMessage, limitBytes = 10 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new Error(`Request body over ${limitBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const LOOPBACK_ADDRESS = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/;

/**
 * Whether a request comes from this machine, to this machine: the client is on loopback (127.0.0.0/8 or ::1,
 * also IPv4-mapped), and the Host it asked for is a loopback name (or one of `hostNames`), so a web page whose
 * own name resolves to 127.0.0.1 (DNS rebinding) cannot read the answer either.
 */
export function fromThisMachine(req: IncomingMessage, hostNames: readonly string[] = []): boolean {
  const address = (req.socket.remoteAddress ?? '').replace(/^::ffff:/i, '');
  if (!LOOPBACK_ADDRESS.test(address)) return false;
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || LOOPBACK_ADDRESS.test(host) || hostNames.includes(host);
}

/** Listens on loopback; a port in use becomes an error that says which port and what to do. */
export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new PortInUseError(port));
      } else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly port: number) {
    super(`Port ${port} is already in use. Stop what is using it, or start Loraworks on another port: PORT=${port + 1} npm start`);
  }
}

export async function startServer(listener: RequestListener, port = 0): Promise<{ server: Server; port: number; url: string }> {
  const server = createServer((req, res) => {
    Promise.resolve(listener(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
    });
  });
  const bound = await listen(server, port);
  return { server, port: bound, url: `http://127.0.0.1:${bound}` };
}

const closing = new WeakMap<Server, Promise<void>>();

/** Closes a server and its connections; closing it again waits for the same close. */
export function closeServer(server: Server): Promise<void> {
  let closed = closing.get(server);
  if (!closed) {
    closed = new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
    closing.set(server, closed);
  }
  return closed;
}
