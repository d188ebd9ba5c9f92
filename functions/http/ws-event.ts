// The parts of API Gateway WebSocket events the ws-* handlers read. The authorizer context set at
// $connect comes back on every later event of that connection.
import { z } from 'zod';

export const WsEvent = z.object({
  body: z.string().nullish(),
  requestContext: z.object({
    connectionId: z.string(),
    requestId: z.string().optional(),
    authorizer: z.object({ owner: z.string().optional() }).passthrough().nullish(),
  }).passthrough(),
});
export type WsEvent = z.infer<typeof WsEvent>;

export const ok = { statusCode: 200, body: '' };
