// REQUEST authorizer on $connect: browsers cannot set headers on a WebSocket, so the JWT rides in ?token=.
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { verifyToken } from '../adapters/auth';
import { logger } from '../adapters/logger';

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string, owner?: string): APIGatewayAuthorizerResult => ({
  principalId,
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
  ...(owner ? { context: { owner } } : {}),
});

export const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const owner = await verifyToken(event.queryStringParameters?.token ?? undefined);
  if (!owner) {
    logger.info('WebSocket connect refused: missing or invalid token');
    return policy('anonymous', 'Deny', event.methodArn);
  }
  return policy(owner, 'Allow', event.methodArn, owner);
};
