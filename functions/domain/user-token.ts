// The one kind of user token both doors take (the HTTP API's Lambda authorizer and the WebSocket's $connect
// authorizer, both app/authenticate.ts; the other kind is an API token, domain/api-tokens.ts): a Cognito ID
// token of the stack's web client. Signature, issuer, expiry and audience are checked before this (the verifier
// in adapters/auth.ts); this rule is what is then asked of the claims.
//
// An access token (token_use "access": no `aud`, a `client_id`) names no audience the verifier accepts; a token
// without token_use is not Cognito's. Both are refused.

/** Claims as a verifier returns them, or as API Gateway hands them on (every value a string; arrays as "[a b]"). */
export type TokenClaims = Record<string, unknown>;

function audiences(aud: unknown): string[] {
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  if (typeof aud !== 'string' || !aud) return [];
  return /^\[.*\]$/.test(aud) ? aud.slice(1, -1).split(' ').filter(Boolean) : [aud];
}

/**
 * The owner (the subject) a token's claims name, or null when the token is not a user's ID token: token_use
 * must be "id", the subject a non-empty string, and `aud` must name the client (`audience`, when known).
 */
export function tokenOwner(claims: TokenClaims | undefined, audience: string | null): string | null {
  if (!claims || claims.token_use !== 'id') return null;
  const auds = audiences(claims.aud);
  if (auds.length === 0 || (audience !== null && !auds.includes(audience))) return null;
  return typeof claims.sub === 'string' && claims.sub ? claims.sub : null;
}
