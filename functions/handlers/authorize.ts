// The HTTP API's Lambda authorizer: a user's JWT or an API token (lwk_…), checked by the use case the
// WebSocket's $connect authorizer shares. The context reaches every handler as requestContext.authorizer.lambda.
import { authenticate, authorizerContext } from '#app/authenticate';
import { bearerToken, httpAuthorizer } from '#events/http-authorizer';

export const handler = httpAuthorizer(async (event) => {
  const identity = await authenticate(bearerToken(event), new Date());
  return identity ? { isAuthorized: true, context: authorizerContext(identity) } : { isAuthorized: false };
});
