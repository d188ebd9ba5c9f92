// The WebSocket API, as API Gateway would run it: the REQUEST authorizer and $connect decide whether a
// socket opens, messages go to the route named by $request.body.action (else $default), $disconnect on
// close, and the @connections management API lets handlers post to and drop connections.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LambdaRuntime } from './lambda-runtime';
import { LOCAL_WEBSOCKET_API, type Authorizer } from './iam';
import { signedAccessKey } from './local-credentials';
import type { WebSocketRoutes } from '#local/template';
import { readBody } from '#local/http-util';

interface Connection { socket: WebSocket; connectedAt: Date; lastActiveAt: Date; sourceIp: string; userAgent: string; authorizer: Record<string, unknown> }

/** `iam`: when given, @connections calls need execute-api:ManageConnections for the key that signed them. */
export function webSocketGateway(options: { routes: WebSocketRoutes; runtime: LambdaRuntime; path: string; stage: string; iam?: Authorizer }) {
  const server = new WebSocketServer({ noServer: true });
  const connections = new Map<string, Connection>();

  const context = (connectionId: string, routeKey: string, eventType: string, req?: IncomingMessage, authorizer?: Record<string, unknown>) => ({
    routeKey, eventType, connectionId, messageId: randomUUID(), extendedRequestId: randomUUID(), requestId: randomUUID(),
    domainName: req?.headers.host ?? 'localhost', stage: options.stage, apiId: 'local',
    requestTimeEpoch: Date.now(), connectedAt: connections.get(connectionId)?.connectedAt.getTime() ?? Date.now(),
    identity: { sourceIp: req?.socket.remoteAddress ?? '127.0.0.1', userAgent: req?.headers['user-agent'] ?? '' },
    ...(authorizer ? { authorizer } : {}),
  });

  const reject = (socket: Duplex, status: number, message: string) => {
    socket.end(`HTTP/1.1 ${status} ${message}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ message })}`);
  };

  async function authorize(req: IncomingMessage, connectionId: string, query: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    if (!options.routes.authorizer) return {};
    const outcome = await options.runtime.invoke(options.routes.authorizer, {
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:us-east-1:000000000000:local/${options.stage}/$connect`,
      headers: req.headers,
      queryStringParameters: query,
      requestContext: context(connectionId, '$connect', 'CONNECT', req),
    });
    const policy = outcome.ok ? (outcome.result as { principalId?: string; policyDocument?: { Statement?: { Effect?: string }[] }; context?: Record<string, unknown> }) : undefined;
    const allowed = policy?.policyDocument?.Statement?.every((s) => s.Effect === 'Allow') && policy.policyDocument.Statement.length > 0;
    return allowed ? { principalId: policy!.principalId, ...(policy!.context ?? {}) } : undefined;
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? '/', 'http://local');
    const query = Object.fromEntries(url.searchParams);
    const connectionId = randomUUID().replace(/-/g, '').slice(0, 16);
    const authorizer = await authorize(req, connectionId, query);
    if (!authorizer) return reject(socket, 401, 'Unauthorized');
    const connect = options.routes.routes.$connect;
    if (connect) {
      const outcome = await options.runtime.invoke(connect, {
        headers: req.headers, queryStringParameters: query, isBase64Encoded: false,
        requestContext: context(connectionId, '$connect', 'CONNECT', req, authorizer),
      });
      const status = outcome.ok ? (outcome.result as { statusCode?: number } | undefined)?.statusCode ?? 200 : 500;
      if (status >= 400) return reject(socket, status === 401 ? 401 : 403, 'Forbidden');
    }
    server.handleUpgrade(req, socket, head, (ws) => {
      const now = new Date();
      connections.set(connectionId, { socket: ws, connectedAt: now, lastActiveAt: now, sourceIp: req.socket.remoteAddress ?? '', userAgent: req.headers['user-agent'] ?? '', authorizer });
      ws.on('message', (data) => void message(connectionId, req, data.toString()));
      ws.on('close', () => void disconnect(connectionId, req));
    });
  }

  async function message(connectionId: string, req: IncomingMessage, body: string) {
    const connection = connections.get(connectionId);
    if (!connection) return;
    connection.lastActiveAt = new Date();
    let action: unknown;
    try { action = JSON.parse(body).action; } catch { action = undefined; }
    const routeKey = typeof action === 'string' && options.routes.routes[action] ? action : '$default';
    const handler = options.routes.routes[routeKey];
    if (!handler) return;
    const outcome = await options.runtime.invoke(handler, { body, isBase64Encoded: false, requestContext: context(connectionId, routeKey, 'MESSAGE', req, connection.authorizer) });
    if (!outcome.ok) console.error(`[ws] ${handler} failed: ${outcome.error.errorMessage}`);
  }

  async function disconnect(connectionId: string, req: IncomingMessage) {
    const connection = connections.get(connectionId);
    connections.delete(connectionId);
    const handler = options.routes.routes.$disconnect;
    if (handler && connection) {
      await options.runtime.invoke(handler, { isBase64Encoded: false, requestContext: context(connectionId, '$disconnect', 'DISCONNECT', req, connection.authorizer) });
    }
  }

  /** The @connections management API: POST sends, GET describes, DELETE closes; unknown ids are Gone (410). */
  async function management(req: IncomingMessage, res: ServerResponse, connectionId: string) {
    const connection = connections.get(connectionId);
    const gone = () => {
      res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
      res.end(JSON.stringify({ message: `Connection ${connectionId} is gone.` }));
    };
    if (!connection || connection.socket.readyState !== connection.socket.OPEN) return gone();
    if (req.method === 'POST') {
      const body = await readBody(req, 128 * 1024);
      await new Promise<void>((resolve, reject) => connection.socket.send(body.toString('utf8'), (e) => (e ? reject(e) : resolve())));
      res.writeHead(200).end();
    } else if (req.method === 'DELETE') {
      connection.socket.close(1000, 'closed by the server');
      res.writeHead(204).end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ connectedAt: connection.connectedAt.toISOString(), lastActiveAt: connection.lastActiveAt.toISOString(), identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent } }));
    }
  }

  return {
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgrade(req, socket, head).catch((error: Error) => {
        console.error(`[ws] connect failed: ${error.message}`);
        reject(socket, 500, 'Internal Server Error');
      });
    },
    /**
     * The @connections API as a server of its own (`{base}/@connections/{id}`): in AWS it is an endpoint of its
     * own too, and locally it keeps handlers' pushes from queuing for a connection behind the browser's and the
     * API's on the main port (under load the event loop accepts one connection per listener per turn).
     */
    connectionsApi: (req: IncomingMessage, res: ServerResponse) => {
      const match = /\/@connections\/([^/?]+)/.exec(req.url ?? '');
      if (match && options.iam) {
        const resource = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${LOCAL_WEBSOCKET_API}/${options.stage}/${req.method}/@connections/${decodeURIComponent(match[1]!)}`;
        const accessKeyId = signedAccessKey(req.headers.authorization);
        const decision = accessKeyId ? options.iam.authorize(accessKeyId, 'execute-api:ManageConnections', resource) : undefined;
        if (!decision?.allowed) {
          // API Gateway's answers: 403 with its own Message (a missing or unknown key is a 403 too).
          const message = decision?.message ?? 'Missing Authentication Token';
          res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': decision && !decision.unrecognized ? 'AccessDeniedException' : 'UnrecognizedClientException' });
          res.end(JSON.stringify({ Message: message }));
          return Promise.resolve();
        }
      }
      if (match) return management(req, res, decodeURIComponent(match[1]!));
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
      return Promise.resolve();
    },
    close() {
      for (const c of connections.values()) c.socket.terminate();
      server.close();
    },
  };
}
