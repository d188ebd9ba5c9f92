// Who a bearer token names, for both doors (the HTTP API's Lambda authorizer and the WebSocket's $connect
// authorizer): an API token (`lwk_…`) is looked up by its id and its secret checked against the stored hash; anything
// else is a user's JWT, verified (adapters/auth.ts) and held to the one rule of domain/user-token.ts.
import { isApiToken, lastUsedThreshold, parseToken, tokenAuthenticates } from '#domain/api-tokens';
import { verifyToken } from '#adapters/auth';
import { logger } from '#adapters/logger';
import { getToken, recordTokenUse } from '#adapters/token-store';

export type Identity =
  | { owner: string; kind: 'user' }
  | { owner: string; kind: 'api-token'; tokenId: string };

export async function authenticate(token: string | undefined, now: Date): Promise<Identity | null> {
  if (!token) return refused('no token');
  if (!isApiToken(token)) {
    const owner = await verifyToken(token);
    return owner ? { owner, kind: 'user' } : refused('not a valid ID token of this client');
  }
  const parsed = parseToken(token);
  if (!parsed) return refused('a malformed API token');
  const stored = await getToken(parsed.id);
  if (!stored || !tokenAuthenticates(parsed, stored, now)) return refused('an unknown, revoked or expired API token, or a wrong secret', parsed.id);
  await noteUse(stored.id, now);
  return { owner: stored.owner, kind: 'api-token', tokenId: stored.id };
}

/** Logged without the token: what kind of refusal it was, and the API token's id when it names one. */
function refused(why: string, tokenId?: string): null {
  logger.info(`Token refused: ${why}`, tokenId ? { tokenId } : {});
  return null;
}

/** What an authorizer hands on to the routes (API Gateway's authorizer context: string values only). */
export const authorizerContext = (identity: Identity): Record<string, string> => ({
  owner: identity.owner, tokenKind: identity.kind, ...(identity.kind === 'api-token' ? { tokenId: identity.tokenId } : {}),
});

/** Best effort: a use is recorded at most every few minutes, and a failed write never refuses the call. */
async function noteUse(id: string, now: Date): Promise<void> {
  try {
    await recordTokenUse(id, now.toISOString(), lastUsedThreshold(now));
  } catch (error) {
    logger.warn('Could not record the API token use', { tokenId: id, error: String(error) });
  }
}
