// The local cloud's access keys. The developer's key (what the AWS CLI, scripts and tests use) may do anything,
// as an account administrator may; every other key belongs to one principal of the stack (a function's role, the
// state machine's role, a signing user) and may do only what that principal's policies in the template allow.
// Keys are derived from the principal's name, so each local process can tell who signed a request without sharing
// state. They are not secrets: the local cloud listens on loopback only.
import { createHmac } from 'node:crypto';

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const DEVELOPER_CREDENTIALS: LocalCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const PRINCIPAL_PREFIX = 'LOCAL_';

/** The access key of one principal of the stack, named as the local cloud names it (for a function, its handler). */
export function principalCredentials(principal: string): LocalCredentials {
  if (!/^[A-Za-z0-9._-]+$/.test(principal)) throw new Error(`A local principal is named with letters, digits, '.', '_' and '-': ${principal}`);
  const accessKeyId = `${PRINCIPAL_PREFIX}${principal}`;
  return { accessKeyId, secretAccessKey: secretOf(accessKeyId) };
}

export type LocalPrincipal = { kind: 'developer' } | { kind: 'principal'; name: string } | { kind: 'assumed-role' };

/** Who holds an access key, or undefined for a key the local cloud never issued (AWS: InvalidAccessKeyId). An
 * assumed-role session's key says only that it is one: its session token tells which (assumedRoleSession). */
export function principalOf(accessKeyId: string): LocalPrincipal | undefined {
  if (accessKeyId === DEVELOPER_CREDENTIALS.accessKeyId) return { kind: 'developer' };
  if (ASSUMED_KEY.test(accessKeyId)) return { kind: 'assumed-role' };
  if (accessKeyId.startsWith(PRINCIPAL_PREFIX) && accessKeyId.length > PRINCIPAL_PREFIX.length) {
    return { kind: 'principal', name: accessKeyId.slice(PRINCIPAL_PREFIX.length) };
  }
  return undefined;
}

/** The secret that signs with an access key, or undefined for a key the local cloud never issued. */
export function secretAccessKeyOf(accessKeyId: string): string | undefined {
  const holder = principalOf(accessKeyId);
  if (!holder) return undefined;
  return holder.kind === 'developer' ? DEVELOPER_CREDENTIALS.secretAccessKey : secretOf(accessKeyId);
}

const secretOf = (accessKeyId: string) => createHmac('sha256', 'loraworks-local-cloud').update(accessKeyId).digest('base64url').slice(0, 40);

export interface LocalSessionCredentials extends LocalCredentials {
  sessionToken: string;
}

const SESSION_PREFIX = 'LOCALSESSION';
const sessionSignature = (payload: string) => createHmac('sha256', 'loraworks-local-cloud-session').update(payload).digest('base64url');
/** A token of the local cloud: `PREFIX.payload.signature`, its payload JSON in base64url, HMAC-signed. */
const signedToken = (prefix: string, fields: Record<string, unknown>) => {
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return { payload, token: `${prefix}.${payload}.${sessionSignature(payload)}` };
};
/** The payload of a token signedToken made with this prefix (and its JSON fields), or undefined for any other. */
function tokenFields(token: string, prefix: string): { payload: string; fields: Record<string, unknown> } | undefined {
  const [head, payload, signature, ...rest] = token.split('.');
  if (head !== prefix || !payload || !signature || rest.length > 0 || signature !== sessionSignature(payload)) return undefined;
  try {
    const fields: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return fields !== null && typeof fields === 'object' ? { payload, fields: fields as Record<string, unknown> } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Temporary credentials of a principal, as STS hands a Lambda role: the principal's key and secret with a session
 * token that encodes the principal and the moment it expires, HMAC-signed like the secrets (so no process can
 * forge a longer one). Anything signed with them stops working at `expiresAt`, as in AWS: a service that gets a
 * request with an `X-Amz-Security-Token` checks it with sessionExpiry.
 */
export function sessionCredentials(principal: string, expiresAt: Date): LocalSessionCredentials {
  return { ...principalCredentials(principal), sessionToken: signedToken(SESSION_PREFIX, { p: principal, exp: expiresAt.getTime() }).token };
}

/** The principal and expiry a session token carries, or undefined for a token the local cloud never issued. */
export function sessionExpiry(token: string): { principal: string; expiresAt: Date } | undefined {
  const { p, exp } = tokenFields(token, SESSION_PREFIX)?.fields ?? {};
  if (typeof p !== 'string' || typeof exp !== 'number') return undefined;
  return { principal: p, expiresAt: new Date(exp) };
}

/** The access key a SigV4-signed request names (its Authorization header, or X-Amz-Credential of a presigned URL). */
export function signedAccessKey(authorization: string | undefined, url?: string): string | undefined {
  const fromHeader = /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
  if (fromHeader) return fromHeader;
  const credential = url ? new URL(url, 'http://local').searchParams.get('X-Amz-Credential') : null;
  return credential?.split('/')[0] || undefined;
}

/** A session of a role, as the local STS mints it for AssumeRole. */
export interface AssumedRoleSession {
  /** The role's ARN, and its logical id in the template (the local IAM knows roles by it). */
  roleArn: string;
  role: string;
  sessionName: string;
  /** The inline session policy (JSON text), if the caller gave one: the session may do only what it and the role allow. */
  policy?: string;
  expiresAt: Date;
}

const ASSUMED_PREFIX = 'LOCALROLE';
const ASSUMED_KEY = /^ASIA[A-Z2-7]{16}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const assumedKeyOf = (payload: string) => `ASIA${[...createHmac('sha256', 'loraworks-local-cloud-role').update(payload).digest().subarray(0, 16)].map((b) => BASE32[b % 32]).join('')}`;

/**
 * Credentials of an assumed-role session (AWS's `ASIA…` keys): the token carries the session (role, name, policy,
 * expiry), HMAC-signed; the access key is derived from the token's payload and the secret from the key, so any local
 * process can check that a key and a token belong together, and nobody can widen or lengthen a session.
 */
export function assumedRoleCredentials(session: AssumedRoleSession): LocalSessionCredentials {
  const { payload, token } = signedToken(ASSUMED_PREFIX, {
    a: session.roleArn, r: session.role, s: session.sessionName, ...(session.policy === undefined ? {} : { p: session.policy }), exp: session.expiresAt.getTime(),
  });
  const accessKeyId = assumedKeyOf(payload);
  return { accessKeyId, secretAccessKey: secretOf(accessKeyId), sessionToken: token };
}

/** The session an `ASIA…` key and its token stand for, or undefined when the token is none the local cloud issued
 * for that key. Expiry is the caller's to check. */
export function assumedRoleSession(accessKeyId: string, token: string | undefined): AssumedRoleSession | undefined {
  const found = tokenFields(token ?? '', ASSUMED_PREFIX);
  if (!found || assumedKeyOf(found.payload) !== accessKeyId) return undefined;
  const { a, r, s, p, exp } = found.fields;
  if (typeof a !== 'string' || typeof r !== 'string' || typeof s !== 'string' || typeof exp !== 'number' || (p !== undefined && typeof p !== 'string')) return undefined;
  return { roleArn: a, role: r, sessionName: s, ...(p === undefined ? {} : { policy: p }), expiresAt: new Date(exp) };
}
