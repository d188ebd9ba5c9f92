// What the API-token panel decides without the DOM: the expiry choices, which tokens are expired, the CLI line.
import { DEFAULT_EXPIRES_IN_DAYS, TOKEN_NAME_MAX } from '#domain/api-token-limits';
import type { ApiToken } from '#domain/schemas';

/** The lifetimes the panel offers, in days (the API takes 1..365), the API's default preselected. */
export const EXPIRY_CHOICES = [7, 30, 90, 365] as const;
export const DEFAULT_EXPIRY_DAYS = DEFAULT_EXPIRES_IN_DAYS;
/** The longest name the API takes. */
export const NAME_MAX = TOKEN_NAME_MAX;

/** A token past its expiry is refused by the API; the list keeps showing it (marked) until it is revoked. */
export const isExpired = (token: Pick<ApiToken, 'expiresAt'>, now = Date.now()): boolean => Date.parse(token.expiresAt) <= now;

/** Newest first, as the list shows them. */
export const newestFirst = <T extends Pick<ApiToken, 'createdAt' | 'id'>>(tokens: T[]): T[] =>
  tokens.slice().sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id)));

/** The line that signs the CLI in with a new token, against this workspace (the URL whose /config.json names the API). */
export const cliLoginLine = (workspaceUrl: string, token: string): string =>
  `npx loraworks login --url ${workspaceUrl.replace(/\/+$/, '')} --token ${token}`;
