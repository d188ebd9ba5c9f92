// The bounds of API tokens a client may ask for (kept apart from api-tokens.ts, whose hashing needs node:crypto,
// so that the schemas, which the browser bundles, can name them).
export const DEFAULT_EXPIRES_IN_DAYS = 90;
export const MAX_EXPIRES_IN_DAYS = 365;
export const TOKEN_NAME_MAX = 60;
/** Live (unexpired) tokens one user may hold at once. */
export const MAX_LIVE_TOKENS = 20;
