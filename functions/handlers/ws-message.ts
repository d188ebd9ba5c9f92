import { answerClient } from '#app/connections';
import { ok, wsRoute } from '#events/ws-route';

export const handler = wsRoute(async (event) =>
  ((await answerClient(event.requestContext.connectionId, event.body)) ? ok : { statusCode: 400, body: 'Send {"action":"ping"}.' }));
