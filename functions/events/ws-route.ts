// The doorways of the WebSocket API: the $connect authorizer, and the routes ($connect, $disconnect, $default),
// with the parts of API Gateway's events the handlers read. The authorizer context set at $connect comes back
// on every later event of that connection.
import { z } from 'zod';
import { invocation } from './invocation';

const WsEvent = z.object({
  body: z.string().nullish(),
  requestContext: z.object({
    connectionId: z.string(),
    requestId: z.string().optional(),
    authorizer: z.object({ owner: z.string().optional() }).passthrough().nullish(),
  }).passthrough(),
});
type WsEvent = z.infer<typeof WsEvent>;

interface WsResult {
  statusCode: number;
  body: string;
}

export const ok: WsResult = { statusCode: 200, body: '' };

export const wsRoute = (fn: (event: WsEvent) => Promise<WsResult>) =>
  invocation({ event: WsEvent, logKeys: (event) => ({ connectionId: event.requestContext.connectionId }) }, fn);

/** A REQUEST authorizer's event: browsers cannot set headers on a WebSocket, so the JWT rides in ?token=. */
const WsAuthorizerEvent = z.object({
  methodArn: z.string(),
  queryStringParameters: z.record(z.string(), z.string().optional()).nullish(),
});
type WsAuthorizerEvent = z.infer<typeof WsAuthorizerEvent>;

export const wsAuthorizer = <R>(fn: (event: WsAuthorizerEvent) => Promise<R>) => invocation({ event: WsAuthorizerEvent }, fn);
