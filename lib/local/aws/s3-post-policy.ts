// The POST policy of a browser (presigned POST) upload, checked as S3 checks it: the policy must be valid JSON
// with an expiration and conditions; it must not have expired; every condition must hold for the form
// (exact matches `{"field": "value"}` and `["eq", "$field", "value"]`, `["starts-with", "$field", "prefix"]`,
// `["content-length-range", min, max]`); and every form field must be named by a condition, except `policy`,
// `x-amz-signature` (and V2's `signature` and `awsaccesskeyid`), `file` and fields named `x-ignore-*`.
// Field names are case-insensitive, values are not. The signature is not checked here.

export interface Refusal { status: number; code: string; message: string; extra?: string }

export interface PostPolicy {
  expiration: string;
  conditions: Condition[];
}

type Condition =
  | { kind: 'eq' | 'starts-with'; field: string; value: string; original: string }
  | { kind: 'content-length-range'; min: number; max: number; original: string };

/** Fields S3 never asks a condition for. */
const EXEMPT = new Set(['policy', 'x-amz-signature', 'signature', 'awsaccesskeyid', 'file']);

const invalidPolicy = (detail: string): Refusal => ({ status: 400, code: 'InvalidPolicyDocument', message: `Invalid Policy: ${detail}` });
const denied = (detail: string): Refusal => ({ status: 403, code: 'AccessDenied', message: `Invalid according to Policy: ${detail}` });

/** The policy a form carries (base64 JSON), or the refusal S3 gives for a malformed one. */
export function decodePolicy(encoded: string): PostPolicy | Refusal {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    return invalidPolicy('Invalid JSON.');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = raw as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) return invalidPolicy('Policy missing expiration.');
  if (typeof expiration !== 'string' || Number.isNaN(Date.parse(expiration))) return invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (conditions === undefined) return invalidPolicy('Policy missing conditions.');
  if (!Array.isArray(conditions)) return invalidPolicy("Invalid 'conditions' value: must be a List.");
  const parsed: Condition[] = [];
  for (const c of conditions) {
    const condition = parseCondition(c);
    if ('code' in condition) return condition;
    parsed.push(...condition);
  }
  return { expiration, conditions: parsed };
}

function parseCondition(c: unknown): Condition[] | Refusal {
  if (Array.isArray(c)) {
    const [op, a, b] = c as unknown[];
    const name = typeof op === 'string' ? op.toLowerCase() : '';
    if (name === 'content-length-range') {
      const [min, max] = [Number(a), Number(b)];
      if (c.length !== 3 || !Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) {
        return invalidPolicy(`Invalid 'content-length-range' condition: ${JSON.stringify(c)}`);
      }
      return [{ kind: 'content-length-range', min, max, original: formatCondition(c) }];
    }
    if ((name === 'eq' || name === 'starts-with') && c.length === 3 && typeof a === 'string' && a.startsWith('$') && typeof b === 'string') {
      return [{ kind: name, field: a.slice(1).toLowerCase(), value: b, original: formatCondition(c) }];
    }
    return invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
  }
  if (typeof c === 'object' && c !== null) {
    const entries = Object.entries(c);
    if (entries.length !== 1 || typeof entries[0]![1] !== 'string') {
      return invalidPolicy('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    }
    const [field, value] = entries[0] as [string, string];
    return [{ kind: 'eq', field: field.toLowerCase(), value, original: formatCondition(['eq', `$${field}`, value]) }];
  }
  return invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
}

/** A condition as S3 quotes it in its messages: `["eq", "$key", "a.zip"]`. */
const formatCondition = (c: unknown[]): string => `[${c.map((v) => JSON.stringify(v)).join(', ')}]`;

/** The file sizes the policy allows, when it says. */
export function sizeRange(policy: PostPolicy): { min: number; max: number } | undefined {
  const range = policy.conditions.find((c) => c.kind === 'content-length-range');
  return range && { min: range.min, max: range.max };
}

export interface PostForm {
  /** Form fields before the file, names lowercased. */
  fields: Record<string, string>;
  /** The bucket the form was posted to (the `bucket` condition is about it). */
  bucket: string;
  fileSize: number;
}

/** The refusal S3 answers this form with under this policy, or null when the policy allows it. */
export function checkPostPolicy(policy: PostPolicy, form: PostForm, now = new Date()): Refusal | null {
  if (Date.parse(policy.expiration) < now.getTime()) return denied('Policy expired.');
  const value = (field: string): string | undefined => (field === 'bucket' ? form.bucket : form.fields[field]);
  for (const c of policy.conditions) {
    if (c.kind === 'content-length-range') {
      if (form.fileSize > c.max) return entityTooLarge(form.fileSize, c.max);
      if (form.fileSize < c.min) {
        return { status: 400, code: 'EntityTooSmall', message: 'Your proposed upload is smaller than the minimum allowed size', extra: `<ProposedSize>${form.fileSize}</ProposedSize><MinSizeAllowed>${c.min}</MinSizeAllowed>` };
      }
      continue;
    }
    const actual = value(c.field);
    const holds = actual !== undefined && (c.kind === 'eq'
      ? actual === c.value
      // Content-Type may list several types; each must start with the prefix.
      : (c.field === 'content-type' ? actual.split(',').map((t) => t.trim()) : [actual]).every((v) => v.startsWith(c.value)));
    if (!holds) return denied(`Policy Condition failed: ${c.original}`);
  }
  const covered = new Set(policy.conditions.flatMap((c) => (c.kind === 'content-length-range' ? [] : [c.field])));
  const extra = Object.keys(form.fields).filter((f) => !EXEMPT.has(f) && !f.startsWith('x-ignore-') && !covered.has(f));
  if (extra.length) return denied(`Extra input fields: ${extra.join(', ')}`);
  return null;
}

export function entityTooLarge(proposed: number, max: number): Refusal {
  return { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size', extra: `<ProposedSize>${proposed}</ProposedSize><MaxSizeAllowed>${max}</MaxSizeAllowed>` };
}
