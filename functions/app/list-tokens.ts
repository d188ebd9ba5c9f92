// The owner's API tokens, newest first, as the API shows them: never the token or its hash.
import type { ApiToken } from '#domain/schemas';
import { listTokens as storedTokens } from '#adapters/token-store';

export async function listTokens(owner: string): Promise<ApiToken[]> {
  return (await storedTokens(owner)).map(({ id, name, createdAt, expiresAt, lastUsedAt }) =>
    ({ id, name, createdAt, expiresAt, ...(lastUsedAt ? { lastUsedAt } : {}) }));
}
