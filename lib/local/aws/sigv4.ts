// SigV4 header signatures of the local cloud's JSON and REST-JSON services (the Scheduler): who signed a request,
// recomputed with the SDK's own signer (@smithy/signature-v4) over the request as received and compared, and the
// errors AWS answers when that fails. The payload is hashed as the service hashes it (no S3 special cases).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { secretAccessKeyOf } from './local-credentials';

export type SignatureRefusal = {
  type: 'MissingAuthenticationTokenException' | 'UnrecognizedClientException' | 'InvalidSignatureException' | 'IncompleteSignatureException';
  message: string;
};
export type Signer = { accessKeyId: string; sessionToken?: string };

/** How far a request's x-amz-date may be from now, as AWS allows. */
const MAX_SKEW_MS = 5 * 60_000;
const HEADER = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/;

/** The signer of a request to `service` in `region`, or why it is refused. */
export async function checkSignature(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>, body: Buffer, service: string, region: string, now = new Date()): Promise<Signer | SignatureRefusal> {
  const authorization = req.headers.authorization;
  if (typeof authorization !== 'string' || authorization === '') return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const match = HEADER.exec(authorization);
  if (!match) return { type: 'IncompleteSignatureException', message: 'Authorization header requires Credential, SignedHeaders and Signature (AWS4-HMAC-SHA256).' };
  const [, credential, signedList, provided] = match as unknown as [string, string, string, string];
  const [accessKeyId = '', day, scopeRegion, scopeService, terminator] = credential.split('/');
  const secret = secretAccessKeyOf(accessKeyId);
  if (!secret) return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (!day || scopeRegion !== region || scopeService !== service || terminator !== 'aws4_request') {
    return { type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and service: <key>/<yyyymmdd>/${region}/${service}/aws4_request, not ${credential}.` };
  }
  const date = amzDate(String(req.headers['x-amz-date'] ?? ''));
  if (!date) return { type: 'IncompleteSignatureException', message: 'Authorization requires an X-Amz-Date header (yyyyMMddTHHmmssZ).' };
  if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS) {
    return { type: 'InvalidSignatureException', message: `Signature expired: ${req.headers['x-amz-date']} is now earlier or later than 5 minutes from the server's time.` };
  }
  const signed = signedList.split(';');
  const url = new URL(req.url ?? '/', 'http://local');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? [query[k]!].flat().concat(v) : v;
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey: secret }, region, service, sha256: NodeSha256, uriEscapePath: true, applyChecksum: false });
  const answer = await signer.sign(
    { method: req.method ?? 'GET', protocol: 'http:', hostname: 'localhost', path: url.pathname, query, headers, body: body.toString('utf8') },
    { signingDate: date, signingRegion: region, signingService: service, signableHeaders: new Set(signed) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(answer.headers.authorization))?.[1] ?? '';
  const a = Buffer.from(expected);
  const b = Buffer.from(provided.toLowerCase());
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return { type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.' };
  }
  const token = req.headers['x-amz-security-token'];
  return { accessKeyId, ...(typeof token === 'string' ? { sessionToken: token } : {}) };
}

function amzDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The hash the signer asks for (`new (secret?)`, update, digest), on node:crypto. */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as Uint8Array));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as Uint8Array));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}
