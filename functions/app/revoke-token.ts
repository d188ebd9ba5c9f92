// Revoking an API token: its item goes, so the authorizer refuses it from the next request on.
import { NotFound } from '#domain/errors';
import { deleteToken } from '#adapters/token-store';

export async function revokeToken(owner: string, id: string): Promise<void> {
  if (!(await deleteToken(owner, id))) throw new NotFound('TOKEN_NOT_FOUND', `API token ${id} does not exist (it may have been revoked already). List yours with GET /tokens.`);
}
