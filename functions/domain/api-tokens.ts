// API tokens for tooling: `lwk_{id}_{secret}`. The id finds the stored token (one GetItem); the secret is checked
// against the stored sha256 in constant time, so the table never holds anything that works as a token. The
// rules here are pure: the random bytes and the clock are handed in.
import { createHash, timingSafeEqual } from 'node:crypto';
import { MAX_LIVE_TOKENS } from './api-token-limits';
import { Conflict } from './errors';

const TOKEN_PREFIX = 'lwk_';
/** The authorizer records a use at most this often per token (a conditional write), so a busy token costs no write per call. */
const LAST_USED_EVERY_MS = 5 * 60 * 1000;

/** Ids are ULIDs (26 Crockford base32 characters); the secret is 32 random bytes in base64url (43 characters). */
const TOKEN_PATTERN = /^lwk_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$/;
const SECRET_BYTES = 32;

export interface ParsedToken { id: string; secret: string }

/** A stored token: what the table keeps of it (never the token itself). */
export interface StoredToken {
  id: string;
  owner: string;
  name: string;
  secretHash: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt?: string;
}

/** Whether a bearer value claims to be an API token (anything else is read as a user's JWT). */
export const isApiToken = (token: string): boolean => token.startsWith(TOKEN_PREFIX);

/** The id and secret of a well-formed API token, or null. */
export function parseToken(token: string): ParsedToken | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Builds a new token from its id and 32 random bytes: the string shown once, and the hash that is stored. */
export function mintToken(id: string, randomBytes: Uint8Array): { token: string; secretHash: string } {
  if (randomBytes.length !== SECRET_BYTES) throw new Error(`An API token secret needs ${SECRET_BYTES} random bytes.`);
  const secret = Buffer.from(randomBytes).toString('base64url');
  return { token: `${TOKEN_PREFIX}${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** The secret hashes to the stored hash (compared in constant time). */
function secretMatches(secret: string, secretHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(secretHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

export const isExpired = (token: Pick<StoredToken, 'expiresAt'>, now: Date): boolean => Date.parse(token.expiresAt) <= now.getTime();

/** Whether a presented token is good: false when unknown, revoked (gone), expired or its secret is wrong. */
export function tokenAuthenticates(parsed: ParsedToken, stored: StoredToken | undefined, now: Date): boolean {
  if (!stored || stored.id !== parsed.id) return false;
  if (isExpired(stored, now)) return false;
  return secretMatches(parsed.secret, stored.secretHash);
}

/** When a token made at `now` for `days` ends, in whole seconds (as the table's TTL attribute keeps it). */
export const expiryOf = (now: Date, days: number): Date => new Date(Math.floor((now.getTime() + days * 24 * 3600 * 1000) / 1000) * 1000);

/** A use at `now` is recorded when none was, or the last one recorded is older than this. */
export const lastUsedThreshold = (now: Date): string => new Date(now.getTime() - LAST_USED_EVERY_MS).toISOString();

/** Refuses a new token past the cap of live tokens. */
export function checkTokenCap(liveTokens: number): void {
  if (liveTokens >= MAX_LIVE_TOKENS) {
    throw new Conflict('TOO_MANY_TOKENS', `You already have ${MAX_LIVE_TOKENS} live API tokens. Revoke one you no longer use (DELETE /tokens/{id}) and create the new one again.`);
  }
}
