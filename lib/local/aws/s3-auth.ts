// Who may do what on the local S3, decided as S3 decides it: every request but a CORS preflight is signed with
// SigV4 (an Authorization header, a presigned query string, or a POST form's signed policy) by a key the local
// cloud issued (local-credentials.ts), and the signer's principal must be allowed the operation's IAM action on
// its resource. Signatures are recomputed with the SDK's own signer (@smithy/signature-v4) and compared. The body
// hash is not verified (the signature covers the x-amz-content-sha256 header, as S3 checks it; UNSIGNED-PAYLOAD
// and the STREAMING-* forms are accepted as S3 accepts them).
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Authorize } from './iam';
import { NodeSha256, parseAmzDate } from './sigv4';
import { assumedRoleSession, DEVELOPER_CREDENTIALS, principalOf, secretAccessKeyOf, sessionExpiry } from './local-credentials';


export interface S3Access {
  authorize: Authorize;
  /** What S3 records as the writer of a request signed with this key (and token): the event's userIdentity.principalId. */
  principalId?: (accessKeyId: string, sessionToken?: string) => string | undefined;
  /** The region every signature's scope must name. */
  region: string;
}

export interface S3Refusal {
  status: number;
  code: string;
  message: string;
  /** More elements of S3's error body (name → text), e.g. AWSAccessKeyId. */
  details?: Record<string, string>;
}

/** A request that may reach s3rver: what to forward, and what to check on its answer. */
export interface Admission {
  accessKeyId: string;
  /** The session token it was signed with, if any. */
  sessionToken?: string;
  /** The principal id S3 records for what this request writes. */
  writer?: string;
  /** The request target with the presigned query's auth parameters removed. */
  path: string;
  /** The headers signed as the developer: s3rver only knows that key. */
  headers: IncomingHttpHeaders;
  /** The body already read (DeleteObjects names its keys in it). */
  body?: Buffer;
  /** The bucket of a GET/HEAD of an object: a 404 there is 403 unless the caller may list the bucket. */
  readsObjectOf?: string;
}

const MAX_SKEW_MS = 15 * 60_000;
const MAX_DELETE_BODY = 2 * 1024 * 1024;
const QUERY_AUTH = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];

const ACCESS_DENIED: S3Refusal = { status: 403, code: 'AccessDenied', message: 'Access Denied' };

/** Authenticates and authorizes a request other than a POST form (CORS preflights are not asked here). */
export async function admitS3Request(
  req: { method?: string; url?: string; headers: IncomingHttpHeaders } & AsyncIterable<Buffer>,
  access: S3Access,
  now = new Date(),
): Promise<Admission | S3Refusal> {
  const target = parseTarget(req.url ?? '/');
  if (!target) return { status: 400, code: 'InvalidURI', message: "Couldn't parse the specified URI." };
  const signer = await whoSigned(req.method ?? 'GET', target, req.headers, access.region, now);
  if ('status' in signer) return signer;
  const tokenValue = target.query.find(([name]) => name === 'X-Amz-Security-Token')?.[1] ?? req.headers['x-amz-security-token'];
  const token = typeof tokenValue === 'string' ? tokenValue : undefined;
  const expired = sessionRefusal(token, signer.accessKeyId, now);
  if (expired) return expired;

  const operation = s3Operation(req.method ?? 'GET', target, req.headers);
  if ('status' in operation) return operation;
  let body: Buffer | undefined;
  if (operation.deletesListedKeys) {
    body = await readAll(req, MAX_DELETE_BODY);
    if (!body) return { status: 400, code: 'MalformedXML', message: 'The XML you provided was not well-formed or did not validate against our published schema.' };
    for (const key of deletedKeys(body)) operation.checks.push({ action: 's3:DeleteObject', resource: objectArn(target.bucket!, key) });
  }
  for (const { action, resource } of operation.checks) {
    const decision = access.authorize(signer.accessKeyId, action, resource, token);
    if (!decision.allowed) return { ...ACCESS_DENIED, message: decision.message || ACCESS_DENIED.message };
  }

  const query = target.query.filter(([name]) => !QUERY_AUTH.includes(name));
  const path = target.rawPath + (query.length ? `?${query.map(([k, v]) => (v === undefined ? escape(k) : `${escape(k)}=${escape(v)}`)).join('&')}` : '');
  return {
    accessKeyId: signer.accessKeyId,
    ...(token === undefined ? {} : { sessionToken: token }),
    writer: access.principalId?.(signer.accessKeyId, token),
    path,
    headers: await asDeveloper(req.headers, access.region, now),
    body,
    readsObjectOf: operation.readsObject ? target.bucket : undefined,
  };
}

/**
 * Temporary credentials sign only while their session lasts, whatever a presigned URL's own X-Amz-Expires says:
 * a token past its expiry is ExpiredToken, one the local cloud never issued (or issued to another principal)
 * InvalidToken. A request with no token was signed with a long-lived key.
 */
export function sessionRefusal(token: string | undefined, accessKeyId: string, now: Date): S3Refusal | null {
  const invalid: S3Refusal = { status: 400, code: 'InvalidToken', message: 'The provided token is malformed or otherwise invalid.' };
  const holder = principalOf(accessKeyId);
  if (holder?.kind === 'assumed-role') {
    // A session's key signs nothing without its own token.
    const assumed = token === undefined ? undefined : assumedRoleSession(accessKeyId, token);
    if (!assumed) return token === undefined ? { status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records: a temporary key needs its session token (X-Amz-Security-Token, AWS_SESSION_TOKEN).' } : invalid;
    return assumed.expiresAt.getTime() <= now.getTime() ? { status: 400, code: 'ExpiredToken', message: 'The provided token has expired.' } : null;
  }
  if (token === undefined) return null;
  const session = sessionExpiry(token);
  if (!session || holder?.kind !== 'principal' || holder.name !== session.principal) {
    return invalid;
  }
  if (session.expiresAt.getTime() <= now.getTime()) return { status: 400, code: 'ExpiredToken', message: 'The provided token has expired.' };
  return null;
}

/** Authenticates a browser POST form (its policy's signature) and authorizes s3:PutObject on its key. */
export async function admitPostForm(bucket: string, fields: Record<string, string>, access: S3Access): Promise<S3Refusal | null> {
  const policy = fields.policy;
  const signature = fields['x-amz-signature'];
  if (!policy && !signature) return ACCESS_DENIED; // an anonymous form, and no bucket here is public
  for (const name of ['policy', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature']) {
    if (!fields[name]) return { status: 400, code: 'InvalidArgument', message: `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, details: { ArgumentName: name } };
  }
  if (fields['x-amz-algorithm'] !== 'AWS4-HMAC-SHA256') return { status: 400, code: 'InvalidArgument', message: 'Only AWS4-HMAC-SHA256 signatures are supported: sign the policy with SigV4.' };
  const scope = parseCredential(fields['x-amz-credential']!);
  const date = parseAmzDate(fields['x-amz-date']!);
  if (!scope || !date) return { status: 400, code: 'InvalidArgument', message: 'x-amz-credential must be <key>/<yyyymmdd>/<region>/s3/aws4_request and x-amz-date yyyymmddThhmmssZ.' };
  if (scope.region !== access.region) return { status: 400, code: 'InvalidArgument', message: `The region '${scope.region}' in x-amz-credential is wrong; expecting '${access.region}'.` };
  const secret = secretAccessKeyOf(scope.accessKeyId);
  if (!secret) return invalidKey(scope.accessKeyId);
  const expected = await signerFor(scope.accessKeyId, secret, scope.region).sign(policy!, { signingDate: date, signingRegion: scope.region });
  if (!sameHex(expected, signature!)) return signatureMismatch(scope.accessKeyId, signature!);
  const key = fields.key ?? '';
  const token = fields['x-amz-security-token'];
  const expired = sessionRefusal(token, scope.accessKeyId, new Date());
  if (expired) return expired;
  const decision = access.authorize(scope.accessKeyId, 's3:PutObject', objectArn(bucket, key), token);
  return decision.allowed ? null : { ...ACCESS_DENIED, message: decision.message || ACCESS_DENIED.message };
}

/**
 * S3 hides whether a key exists from a caller that may not list the bucket: a GET or HEAD of a missing key is
 * 404 NoSuchKey with s3:ListBucket on the bucket, 403 AccessDenied without it.
 */
export function missingObjectRefusal(admission: Admission, access: S3Access): S3Refusal | null {
  if (!admission.readsObjectOf) return null;
  return access.authorize(admission.accessKeyId, 's3:ListBucket', `arn:aws:s3:::${admission.readsObjectOf}`, admission.sessionToken).allowed ? null : ACCESS_DENIED;
}

/** S3's XML error body. */
export function s3ErrorXml(refusal: S3Refusal, resource?: string): string {
  const details = Object.entries(refusal.details ?? {}).map(([k, v]) => `<${k}>${xmlText(v)}</${k}>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${xmlText(refusal.message)}</Message>${details}${resource ? `<Resource>${xmlText(resource)}</Resource>` : ''}<RequestId>${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}</RequestId><HostId>${randomUUID()}</HostId></Error>`;
}

// --- authentication ------------------------------------------------------------------------------------------

interface Target {
  rawPath: string;
  /** The path as S3 canonicalizes it: each segment decoded, then encoded once (RFC 3986). */
  canonicalPath: string;
  bucket?: string;
  key?: string;
  query: [string, string | undefined][];
}

function parseTarget(url: string): Target | null {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  try {
    const segments = rawPath.split('/').map((s) => decodeURIComponent(s));
    const query = (q < 0 ? '' : url.slice(q + 1)).split('&').filter(Boolean).map((pair): [string, string | undefined] => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [decodeURIComponent(pair), undefined] : [decodeURIComponent(pair.slice(0, eq)), decodeURIComponent(pair.slice(eq + 1))];
    });
    const [, bucket, ...key] = segments;
    return { rawPath, canonicalPath: segments.map(escape).join('/'), bucket: bucket || undefined, key: key.length ? key.join('/') : undefined, query };
  } catch {
    return null;
  }
}

async function whoSigned(method: string, target: Target, headers: IncomingHttpHeaders, region: string, now: Date): Promise<{ accessKeyId: string } | S3Refusal> {
  const queryNames = new Set(target.query.map(([k]) => k));
  const byHeader = typeof headers.authorization === 'string';
  const byQuery = queryNames.has('X-Amz-Algorithm') || queryNames.has('X-Amz-Signature') || queryNames.has('X-Amz-Credential');
  if (byHeader && byQuery) return { status: 400, code: 'InvalidArgument', message: 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified', details: { ArgumentName: 'Authorization' } };
  if (queryNames.has('Signature') || queryNames.has('AWSAccessKeyId') || (byHeader && /^AWS /.test(headers.authorization!))) {
    return { status: 400, code: 'InvalidRequest', message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.' };
  }
  if (byHeader) return headerSigner(method, target, headers, region, now);
  if (byQuery) return querySigner(method, target, headers, region, now);
  return ACCESS_DENIED; // anonymous, and no bucket here is public
}

async function headerSigner(method: string, target: Target, headers: IncomingHttpHeaders, region: string, now: Date): Promise<{ accessKeyId: string } | S3Refusal> {
  const malformed = (why: string): S3Refusal => ({ status: 400, code: 'AuthorizationHeaderMalformed', message: `The authorization header is malformed; ${why}` });
  const match = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/.exec(headers.authorization!);
  if (!match) return malformed('it requires three components: Credential, SignedHeaders, and Signature (AWS4-HMAC-SHA256).');
  const [, credential, signedList, provided] = match as unknown as [string, string, string, string];
  const scope = parseCredential(credential);
  if (!scope) return malformed(`the Credential '${credential}' is not <key>/<yyyymmdd>/<region>/s3/aws4_request.`);
  if (scope.region !== region) return { ...malformed(`the region '${scope.region}' is wrong; expecting '${region}'`), details: { Region: region } };
  const date = parseAmzDate(String(headers['x-amz-date'] ?? ''));
  if (!date) return { status: 403, code: 'AccessDenied', message: 'AWS authentication requires a valid Date or x-amz-date header' };
  const secret = secretAccessKeyOf(scope.accessKeyId);
  if (!secret) return invalidKey(scope.accessKeyId);
  if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS) {
    return { status: 403, code: 'RequestTimeTooSkewed', message: 'The difference between the request time and the current time is too large.', details: { RequestTime: String(headers['x-amz-date']), ServerTime: now.toISOString() } };
  }
  if (!headers['x-amz-content-sha256']) return { status: 400, code: 'InvalidRequest', message: 'Missing required header for this request: x-amz-content-sha256' };
  const signed = signedList.split(';');
  const request = { method, protocol: 'http:', hostname: 'localhost', path: target.canonicalPath, query: queryObject(target.query), headers: pickHeaders(headers, signed) };
  const answer = await signerFor(scope.accessKeyId, secret, region).sign(request, { signingDate: date, signingRegion: region, signableHeaders: new Set(signed) });
  const expected = /Signature=([0-9a-f]+)/.exec(String(answer.headers.authorization))?.[1] ?? '';
  return sameHex(expected, provided) ? { accessKeyId: scope.accessKeyId } : signatureMismatch(scope.accessKeyId, provided);
}

async function querySigner(method: string, target: Target, headers: IncomingHttpHeaders, region: string, now: Date): Promise<{ accessKeyId: string } | S3Refusal> {
  const param = (name: string) => target.query.find(([k]) => k === name)?.[1];
  const missing = QUERY_AUTH.filter((name) => !param(name));
  const malformed = (message: string): S3Refusal => ({ status: 400, code: 'AuthorizationQueryParametersError', message });
  if (missing.length) return malformed(`Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters (missing: ${missing.join(', ')}).`);
  if (param('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const scope = parseCredential(param('X-Amz-Credential')!);
  if (!scope) return malformed('X-Amz-Credential must be <key>/<yyyymmdd>/<region>/s3/aws4_request.');
  if (scope.region !== region) return { ...malformed(`Error parsing the X-Amz-Credential parameter; the region '${scope.region}' is wrong; expecting '${region}'`), details: { Region: region } };
  const date = parseAmzDate(param('X-Amz-Date')!);
  if (!date) return malformed('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  const expires = Number(param('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 0 || expires > 604_800) return malformed('X-Amz-Expires must be a whole number of seconds from 0 to 604800 (seven days).');
  const secret = secretAccessKeyOf(scope.accessKeyId);
  if (!secret) return invalidKey(scope.accessKeyId);
  if (now.getTime() > date.getTime() + expires * 1000) {
    return { status: 403, code: 'AccessDenied', message: 'Request has expired', details: { 'X-Amz-Expires': String(expires), Expires: new Date(date.getTime() + expires * 1000).toISOString(), ServerTime: now.toISOString() } };
  }
  if (date.getTime() - now.getTime() > MAX_SKEW_MS) return { status: 403, code: 'AccessDenied', message: 'Request is not valid yet' };

  const signed = param('X-Amz-SignedHeaders')!.split(';');
  const provided = param('X-Amz-Signature')!;
  const signedHeaders = pickHeaders(headers, signed);
  // A presigned URL's payload is always UNSIGNED-PAYLOAD; the header only tells the signer so and is not signed.
  const payloadHeader: Record<string, string> = signed.includes('x-amz-content-sha256') ? {} : { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  const request = { method, protocol: 'http:', hostname: 'localhost', path: target.canonicalPath, query: queryObject(target.query.filter(([k]) => !QUERY_AUTH.includes(k))), headers: { ...signedHeaders, ...payloadHeader } };
  const presigned = await signerFor(scope.accessKeyId, secret, region).presign(request, {
    signingDate: date, signingRegion: region, expiresIn: expires,
    unhoistableHeaders: new Set(Object.keys(request.headers)),
    signableHeaders: new Set(signed),
    unsignableHeaders: new Set(Object.keys(payloadHeader)),
  });
  const expected = String(presigned.query?.['X-Amz-Signature'] ?? '');
  return sameHex(expected, provided) ? { accessKeyId: scope.accessKeyId } : signatureMismatch(scope.accessKeyId, provided);
}

/** The developer's signature on the forwarded request (s3rver knows only that key), over the same body hash. */
async function asDeveloper(headers: IncomingHttpHeaders, region: string, now: Date): Promise<IncomingHttpHeaders> {
  const rest = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'authorization' && k !== 'x-amz-date' && !k.startsWith('x-amz-security-token')));
  const payload = String(headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD');
  const signed = await signerFor(DEVELOPER_CREDENTIALS.accessKeyId, DEVELOPER_CREDENTIALS.secretAccessKey, region).sign(
    { method: 'GET', protocol: 'http:', hostname: 'localhost', path: '/', query: {}, headers: { host: String(headers.host ?? 'localhost'), 'x-amz-content-sha256': payload } },
    { signingDate: now },
  );
  return { ...rest, 'x-amz-content-sha256': payload, 'x-amz-date': String(signed.headers['x-amz-date']), authorization: String(signed.headers.authorization) };
}

function signerFor(accessKeyId: string, secretAccessKey: string, region: string) {
  return new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region, service: 's3', sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
}

function parseCredential(credential: string) {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[3] !== 's3' || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!) || !parts[0]) return null;
  return { accessKeyId: parts[0], date: parts[1]!, region: parts[2]! };
}

function pickHeaders(headers: IncomingHttpHeaders, names: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return picked;
}

function queryObject(query: [string, string | undefined][]): Record<string, string | string[]> {
  const object: Record<string, string | string[]> = {};
  for (const [k, v = ''] of query) {
    const had = object[k];
    object[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  return object;
}

const invalidKey = (accessKeyId: string): S3Refusal => ({
  status: 403, code: 'InvalidAccessKeyId',
  message: 'The AWS Access Key Id you provided does not exist in our records. Locally, use S3RVER / S3RVER (the developer key).',
  details: { AWSAccessKeyId: accessKeyId },
});

const signatureMismatch = (accessKeyId: string, provided: string): S3Refusal => ({
  status: 403, code: 'SignatureDoesNotMatch',
  message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  details: { AWSAccessKeyId: accessKeyId, SignatureProvided: provided },
});

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

// --- authorization: each S3 operation's IAM action and resource, as the S3 service authorization reference maps them --

interface Operation {
  checks: { action: string; resource: string }[];
  readsObject?: boolean;
  deletesListedKeys?: boolean;
}

const BUCKET_SUBRESOURCE_ACTIONS: Record<string, Record<string, string>> = {
  GET: { location: 's3:GetBucketLocation', uploads: 's3:ListBucketMultipartUploads', versions: 's3:ListBucketVersions', cors: 's3:GetBucketCORS', acl: 's3:GetBucketAcl', policy: 's3:GetBucketPolicy', website: 's3:GetBucketWebsite', tagging: 's3:GetBucketTagging', versioning: 's3:GetBucketVersioning', notification: 's3:GetBucketNotification', lifecycle: 's3:GetLifecycleConfiguration' },
  PUT: { cors: 's3:PutBucketCORS', acl: 's3:PutBucketAcl', policy: 's3:PutBucketPolicy', website: 's3:PutBucketWebsite', tagging: 's3:PutBucketTagging', versioning: 's3:PutBucketVersioning', notification: 's3:PutBucketNotification', lifecycle: 's3:PutLifecycleConfiguration' },
  DELETE: { cors: 's3:PutBucketCORS', policy: 's3:DeleteBucketPolicy', website: 's3:DeleteBucketWebsite', tagging: 's3:PutBucketTagging', lifecycle: 's3:PutLifecycleConfiguration' },
};
const BUCKET_DEFAULT_ACTIONS: Record<string, string> = { GET: 's3:ListBucket', HEAD: 's3:ListBucket', PUT: 's3:CreateBucket', DELETE: 's3:DeleteBucket' };

function s3Operation(method: string, target: Target, headers: IncomingHttpHeaders): Operation | S3Refusal {
  const has = (name: string) => target.query.some(([k]) => k === name);
  const { bucket, key } = target;
  if (!bucket) return method === 'GET' ? { checks: [{ action: 's3:ListAllMyBuckets', resource: '*' }] } : { status: 405, code: 'MethodNotAllowed', message: 'The specified method is not allowed against this resource.' };
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (key === undefined || key === '') {
    if (method === 'POST') return has('delete') ? { checks: [], deletesListedKeys: true } : { status: 405, code: 'MethodNotAllowed', message: 'A POST to a bucket is a browser upload form (multipart/form-data) or ?delete.' };
    const sub = Object.entries(BUCKET_SUBRESOURCE_ACTIONS[method] ?? {}).find(([name]) => has(name));
    const action = sub?.[1] ?? BUCKET_DEFAULT_ACTIONS[method];
    if (!action) return { status: 405, code: 'MethodNotAllowed', message: 'The specified method is not allowed against this resource.' };
    return { checks: [{ action, resource: bucketArn }] };
  }
  const resource = objectArn(bucket, key);
  const one = (action: string, more: Partial<Operation> = {}): Operation => ({ checks: [{ action, resource }], ...more });
  switch (method) {
    case 'GET':
      if (has('uploadId')) return one('s3:ListMultipartUploadParts');
      if (has('acl')) return one(has('versionId') ? 's3:GetObjectVersionAcl' : 's3:GetObjectAcl');
      if (has('tagging')) return one(has('versionId') ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging');
      return one(has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject', { readsObject: true });
    case 'HEAD':
      return one(has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject', { readsObject: true });
    case 'PUT': {
      if (has('tagging')) return one('s3:PutObjectTagging');
      if (has('acl')) return one('s3:PutObjectAcl');
      const source = headers['x-amz-copy-source'];
      if (typeof source !== 'string') return one('s3:PutObject');
      const copied = copySourceArn(source);
      if (!copied) return { status: 400, code: 'InvalidArgument', message: 'x-amz-copy-source must be /<bucket>/<key>, URL-encoded.', details: { ArgumentName: 'x-amz-copy-source', ArgumentValue: source } };
      return { checks: [{ action: copied.versioned ? 's3:GetObjectVersion' : 's3:GetObject', resource: copied.arn }, { action: 's3:PutObject', resource }] };
    }
    case 'POST':
      if (has('uploads') || has('uploadId')) return one('s3:PutObject');
      if (has('restore')) return one('s3:RestoreObject');
      if (has('select')) return one('s3:GetObject');
      return { status: 405, code: 'MethodNotAllowed', message: 'The specified method is not allowed against this resource.' };
    case 'DELETE':
      if (has('uploadId')) return one('s3:AbortMultipartUpload');
      if (has('tagging')) return one('s3:DeleteObjectTagging');
      return one(has('versionId') ? 's3:DeleteObjectVersion' : 's3:DeleteObject');
    default:
      return { status: 405, code: 'MethodNotAllowed', message: 'The specified method is not allowed against this resource.' };
  }
}

function copySourceArn(source: string): { arn: string; versioned: boolean } | null {
  const [path = '', query = ''] = source.split('?');
  try {
    const decoded = decodeURIComponent(path).replace(/^\//, '');
    const slash = decoded.indexOf('/');
    if (slash <= 0 || slash === decoded.length - 1) return null;
    return { arn: objectArn(decoded.slice(0, slash), decoded.slice(slash + 1)), versioned: /(^|&)versionId=/.test(query) };
  } catch {
    return null;
  }
}

const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

function deletedKeys(body: Buffer): string[] {
  return [...body.toString('utf8').matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => xmlUnescape(m[1]!));
}

async function readAll(source: AsyncIterable<Buffer>, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A path segment or query part encoded as SigV4 and S3 encode it (RFC 3986 unreserved characters stay). */
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlUnescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
