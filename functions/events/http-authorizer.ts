// The doorway of the HTTP API's Lambda authorizer (REQUEST, payload format 2.0, simple responses): the parts of
// API Gateway's event it reads. API Gateway calls it only when the identity source (the Authorization header)
// is present, and caches its answer per identity source for the authorizer's TTL.
import { z } from 'zod';
import { invocation } from './invocation';

const HttpAuthorizerEvent = z.object({
  type: z.literal('REQUEST').optional(),
  routeKey: z.string().optional(),
  identitySource: z.array(z.string()).nullish(),
  headers: z.record(z.string(), z.string().optional()).nullish(),
  requestContext: z.object({ requestId: z.string().optional() }).passthrough().optional(),
});
type HttpAuthorizerEvent = z.infer<typeof HttpAuthorizerEvent>;

/** A simple response: whether the request may go on, and what the integration gets as `authorizer.lambda`. */
export interface SimpleAuthorizerResult {
  isAuthorized: boolean;
  context?: Record<string, string>;
}

/** The bearer token of the request's Authorization header (header names arrive lower-cased in payload 2.0). */
export function bearerToken(event: HttpAuthorizerEvent): string | undefined {
  const header = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1]
    ?? event.identitySource?.[0];
  return header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

export const httpAuthorizer = (fn: (event: HttpAuthorizerEvent) => Promise<SimpleAuthorizerResult>) =>
  invocation({ event: HttpAuthorizerEvent, logKeys: (event) => ({ route: event.routeKey, requestId: event.requestContext?.requestId }) }, fn);
