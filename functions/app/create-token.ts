// A new API token for the owner's tooling: the token is returned once and only its hash is stored.
import { randomBytes } from 'node:crypto';
import { checkTokenCap, expiryOf, isExpired, mintToken } from '#domain/api-tokens';
import { newId } from '#domain/ids';
import type { CreatedToken } from '#domain/schemas';
import { listTokens, putToken } from '#adapters/token-store';

export async function createToken(owner: string, name: string, expiresInDays: number, now: Date): Promise<CreatedToken> {
  checkTokenCap((await listTokens(owner)).filter((t) => !isExpired(t, now)).length);
  const id = newId(now);
  const { token, secretHash } = mintToken(id, randomBytes(32));
  const stored = { id, owner, name, secretHash, createdAt: now.toISOString(), expiresAt: expiryOf(now, expiresInDays).toISOString() };
  await putToken(stored);
  return { id, name, token, createdAt: stored.createdAt, expiresAt: stored.expiresAt };
}
