// REQUEST authorizer on $connect: browsers cannot set headers on a WebSocket, so the JWT rides in ?token=.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { connectionOwner } from '#app/authorize-connection';
import { wsAuthorizer } from '#events/ws-route';

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string, owner?: string): APIGatewayAuthorizerResult => ({
  principalId,
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
  ...(owner ? { context: { owner } } : {}),
});

export const handler = wsAuthorizer(async (event) => {
  const owner = await connectionOwner(event.queryStringParameters?.token ?? undefined);
  return owner ? policy(owner, 'Allow', event.methodArn, owner) : policy('anonymous', 'Deny', event.methodArn);
});
