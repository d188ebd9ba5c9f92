// REQUEST authorizer on $connect: browsers cannot set headers on a WebSocket, so the token (a user's JWT or an API
// token) rides in ?token=. The same use case as the HTTP API's authorizer decides.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { authenticate, authorizerContext } from '#app/authenticate';
import { wsAuthorizer } from '#events/ws-route';

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string, context?: Record<string, string>): APIGatewayAuthorizerResult => ({
  principalId,
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
  ...(context ? { context } : {}),
});

export const handler = wsAuthorizer(async (event) => {
  const identity = await authenticate(event.queryStringParameters?.token ?? undefined, new Date());
  return identity ? policy(identity.owner, 'Allow', event.methodArn, authorizerContext(identity)) : policy('anonymous', 'Deny', event.methodArn);
});
