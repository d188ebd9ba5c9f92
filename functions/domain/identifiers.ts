// How long and what shape the ids and keys a client sends may be. Each becomes part of a DynamoDB key, which
// DynamoDB refuses past 2,048 bytes (partition key) or 1,024 bytes (sort key), and an S3 key: the bounds here
// keep every such key well inside both, so a long value is the client's 422, never the service's 500.

/** A dataset id: a ULID the API made, or the name a direct upload chose (`incoming/{owner}/{dataset}/…`). */
export const DATASET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
export const DATASET_ID_MAX = 80;
export const DATASET_ID_RULE = `A dataset id is 1–${DATASET_ID_MAX} letters, digits, ".", "_" or "-", starting with a letter or digit.`;

/** Job and adapter ids are ULIDs (26 characters); the bound leaves room without reaching any key limit. */
export const RECORD_ID_MAX = 64;

/** An Idempotency-Key: any client-chosen text up to this length (a UUID is 36). */
export const IDEMPOTENCY_KEY_MAX = 255;
