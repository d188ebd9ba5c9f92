// The local S3's front door. s3rver ignores POST policies, so this proxy does what S3 does in AWS for a
// browser (presigned POST) upload: it reads the policy the API signed from the form's first fields, refuses a
// body larger than the policy allows as soon as its declared length (or, without one, the bytes that arrived)
// says so, and once the form is in, checks every condition of the policy (s3-post-policy.ts) before anything is
// stored. Every other request passes through untouched (same method, path and headers, streamed both ways),
// except that an empty key segment (`a//b`) is sent on escaped, as s3rver's routes would drop it, a copy's source
// is re-encoded for s3rver's decoding, and a GET's Range is read as S3 reads it (s3-ranges.ts). Every request but a
// CORS preflight is authenticated and authorized first (s3-auth.ts), then reaches s3rver signed as the developer.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { request, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { admitPostForm, admitS3Request, missingObjectRefusal, s3ErrorXml, type Admission, type S3Access, type S3Refusal } from './s3-auth';
import { checkPostPolicy, decodePolicy, entityTooLarge, sizeRange, type Refusal } from './s3-post-policy';
import { s3rverRange } from './s3-ranges';
import { withWriter } from './s3-writers';

/** Fields come before the file in an S3 POST form; this is more than any form's fields need. */
const FIELDS_WINDOW = 256 * 1024;
/** Past the file: its closing delimiter, and any fields after it (which S3 ignores). */
const TAIL_ALLOWANCE = 64 * 1024;
/** The largest object a POST can upload to S3 (5 GB), the bound of a form whose policy names no size. */
export const MAX_POST_FILE_BYTES = 5 * 1024 ** 3;

export interface PostUpload {
  fields: Record<string, string>;
  fileStart: number;
  fileSize: number;
}

/** A request path with each empty segment of the key escaped (`/b/a//c` → `/b/a/%2Fc`); s3rver decodes it back. */
export function literalKeyPath(url: string): string {
  const query = url.indexOf('?');
  const [path, rest] = query < 0 ? [url, ''] : [url.slice(0, query), url.slice(query)];
  const bucketEnd = path.indexOf('/', 1);
  if (bucketEnd < 0) return url;
  return path.slice(0, bucketEnd + 1) + path.slice(bucketEnd + 1).replace(/(?<=^|\/)\//g, '%2F') + rest;
}

/**
 * S3 reads `x-amz-copy-source` URL-encoded (`%2B` is `+`, `%23` is `#`); s3rver decodes it with decodeURI, which
 * leaves those escapes as they are (so a copy of `a+b.zip` looks for `a%2Bb.zip`). The header goes on encoded
 * so that decodeURI gives the key S3 would read.
 */
export function literalCopySource(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const source = headers['x-amz-copy-source'];
  if (typeof source !== 'string') return headers;
  const [path, version] = source.split('?versionId=') as [string, string | undefined];
  try {
    return { ...headers, 'x-amz-copy-source': encodeURI(decodeURIComponent(path)) + (version === undefined ? '' : `?versionId=${version}`) };
  } catch {
    return headers;
  }
}

/** `upstream`: where s3rver listens (a unix socket, or host and port). */
export function s3UploadPolicyProxy(upstream: Pick<RequestOptions, 'host' | 'port' | 'socketPath'>, spoolDir = tmpdir(), access?: S3Access) {
  // `writer`: who signed (what S3 records in the event, s3-writers.ts); never what the client's own headers say.
  const pass = (req: IncomingMessage, res: ServerResponse, body: NodeJS.ReadableStream | Buffer = req, admitted?: Admission, writer = admitted?.writer) => {
    const target = admitted ? { path: admitted.path, headers: admitted.headers } : { path: req.url ?? '/', headers: req.headers };
    const headers = withWriter(literalCopySource(target.headers), writer);
    const forward = request({ ...upstream, method: req.method, path: literalKeyPath(target.path), headers }, (answer) => {
      const hidden = answer.statusCode === 404 && admitted && access ? missingObjectRefusal(admitted, access) : null;
      if (hidden) return void hideMissingKey(answer, req, res, hidden);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    if (Buffer.isBuffer(body)) forward.end(body);
    else body.pipe(forward);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://s3');
    const path = url.pathname;
    // s3rver joins the upload id onto its data folder: an id it never made (`../x`) names no upload, as in S3.
    const uploadId = url.searchParams.get('uploadId');
    if (uploadId !== null && !/^[0-9a-f]{32}$/.test(uploadId)) {
      return refuse(req, res, { status: 404, code: 'NoSuchUpload', message: 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.' });
    }
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] ?? '');
    if (req.method !== 'POST' || !boundary || !/^\/[^/]+\/?$/.test(path)) {
      if (!access || req.method === 'OPTIONS') return pass(req, res); // a CORS preflight is anonymous, as in S3
      const admitted = await admitS3Request(req, access);
      if ('status' in admitted) return refuse(req, res, admitted);
      if (req.method !== 'GET' && req.method !== 'HEAD') return pass(req, res, admitted.body ?? req, admitted);
      const ranged = await s3rverRange(admitted.headers, () => objectSize(upstream, admitted));
      if ('refusal' in ranged) return refuse(req, res, ranged.refusal);
      return pass(req, res, admitted.body ?? req, { ...admitted, headers: ranged.headers });
    }

    const bucket = decodeURIComponent(path.split('/')[1]!);
    const spool = join(spoolDir, `loraworks-post-${randomUUID()}`);
    try {
      const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
      const received = await receivePostForm(req, declared, (boundary[1] ?? boundary[2])!.trim(), spool);
      let refusal = 'refusal' in received ? received.refusal : null;
      if (!refusal && 'upload' in received) {
        const { upload } = received;
        const denied = access ? await admitPostForm(bucket, upload.fields, access) : null;
        if (denied) return refuse(req, res, denied);
        const policy = upload.fields.policy === undefined ? null : decodePolicy(upload.fields.policy);
        // An unsigned form: s3rver decides, as S3 would for a public bucket.
        refusal = policy === null ? null : 'code' in policy ? policy : checkPostPolicy(policy, { fields: upload.fields, bucket, fileSize: upload.fileSize });
      }
      if (refusal) return refuse(req, res, refusal);
      await new Promise<void>((resolve) => {
        res.on('close', resolve);
        const { fields } = 'upload' in received ? received.upload : { fields: {} as Record<string, string> };
        const signer = fields['x-amz-credential']?.split('/')[0];
        pass(req, res, createReadStream(spool), undefined, signer ? access?.principalId?.(signer, fields['x-amz-security-token']) : undefined);
      });
    } finally {
      await rm(spool, { force: true });
    }
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/xml' });
      res.end('<Error><Code>InternalError</Code><Message>The local S3 front failed.</Message></Error>');
    });
  };
}

/** The size of the object a GET names, from a HEAD to s3rver with the same headers but the range; null without one. */
function objectSize(upstream: Pick<RequestOptions, 'host' | 'port' | 'socketPath'>, admitted: Admission): Promise<number | null> {
  const { range: _range, ...headers } = admitted.headers;
  return new Promise((resolve) => {
    const head = request({ ...upstream, method: 'HEAD', path: literalKeyPath(admitted.path), headers }, (answer) => {
      answer.resume();
      const length = Number(answer.headers['content-length']);
      resolve(answer.statusCode === 200 && Number.isFinite(length) ? length : null);
    });
    head.on('error', () => resolve(null));
    head.end();
  });
}

/** A missing key is AccessDenied to a caller that may not list the bucket; a missing bucket stays NoSuchBucket. */
function hideMissingKey(answer: IncomingMessage, req: IncomingMessage, res: ServerResponse, refusal: S3Refusal): void {
  const chunks: Buffer[] = [];
  answer.on('data', (chunk: Buffer) => chunks.push(chunk));
  answer.on('end', () => {
    const body = Buffer.concat(chunks);
    if (!body.includes('<Code>NoSuchBucket</Code>')) return refuse(req, res, refusal);
    res.writeHead(404, answer.headers);
    res.end(body);
  });
}

/**
 * S3's error answer (no body for a HEAD), CORS-readable. A body left unread is not drained: the connection closes
 * once the answer is out, as S3 closes it.
 */
function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal | S3Refusal): void {
  const stopped = !req.complete;
  const xml = s3ErrorXml(refusal);
  const body = req.method === 'HEAD' ? '' : 'extra' in refusal && refusal.extra ? xml.replace('<RequestId>', `${refusal.extra}<RequestId>`) : xml;
  res.writeHead(refusal.status, {
    'content-type': 'application/xml', 'access-control-allow-origin': req.headers.origin ?? '*', 'x-amz-request-id': randomUUID().slice(0, 16),
    ...(stopped ? { connection: 'close' } : {}),
  });
  res.end(body);
  if (stopped) res.on('finish', () => req.socket.destroy());
}

const MALFORMED: Refusal = { status: 400, code: 'MalformedPOSTRequest', message: 'The body of your POST request is not well-formed multipart/form-data.' };

/**
 * Spools a POST form's body, never past what its policy allows: the first fields (within FIELDS_WINDOW) name
 * the policy and so the largest file; a declared length over that (plus the fields and a bounded tail) is refused
 * before the file is read, and so is a body that grows past it. A form with no size limit is bounded by S3's own.
 * The body is read and left paused, never destroyed, so the refusal can still be answered on its connection.
 */
export async function receivePostForm(body: Readable, declaredLength: number | undefined, boundary: string, spool: string): Promise<{ upload: PostUpload } | { refusal: Refusal }> {
  const out = createWriteStream(spool);
  const closed = new Promise<void>((resolve, reject) => { out.on('close', resolve); out.on('error', reject); });
  let head = Buffer.alloc(0);
  let limit: { bytes: number; max: number; fileStart: number } | undefined;
  let received = 0;
  let refusal: Refusal | undefined;
  const bound = (fileStart: number, fields: Record<string, string>) => {
    const policy = fields.policy === undefined ? undefined : decodePolicy(fields.policy);
    const max = Math.min((policy && !('code' in policy) && sizeRange(policy)?.max) || MAX_POST_FILE_BYTES, MAX_POST_FILE_BYTES);
    return { bytes: fileStart + max + TAIL_ALLOWANCE, max, fileStart };
  };
  try {
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (!limit) {
        head = Buffer.concat([head, chunk]);
        const form = parseFormHead(head, boundary);
        if (form === null) { refusal = MALFORMED; break; }
        if (form === 'incomplete') {
          // Fields that do not fit the window are no form S3 would take (nor one readPostForm could read).
          if (head.length >= FIELDS_WINDOW) { refusal = MALFORMED; break; }
        } else limit = bound(form.fileStart, form.fields);
        if (limit && declaredLength !== undefined && declaredLength > limit.bytes) {
          // The file is the body less the fields before it and its closing delimiter (`\r\n--{boundary}--\r\n`).
          refusal = entityTooLarge(declaredLength - limit.fileStart - (boundary.length + 8), limit.max);
          break;
        }
      }
      if (limit && received > limit.bytes) {
        // At least this much of the file has arrived.
        refusal = entityTooLarge(received - limit.fileStart, limit.max);
        break;
      }
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  } finally {
    out.end();
    await closed;
  }
  if (refusal) return { refusal };
  const upload = await readPostForm(spool, boundary);
  return upload ? { upload } : { refusal: MALFORMED };
}

/** The fields before the file part and where the file's bytes start; 'incomplete' until the file part's headers are in. */
export function parseFormHead(head: Buffer, boundary: string): { fields: Record<string, string>; fileStart: number } | 'incomplete' | null {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, string> = {};
  let at = head.indexOf(delimiter);
  if (at < 0) return head.length > 1024 ? null : 'incomplete';
  for (;;) {
    const headersEnd = head.indexOf('\r\n\r\n', at);
    if (headersEnd < 0) return head.subarray(at + delimiter.length, at + delimiter.length + 2).toString() === '--' ? null : 'incomplete';
    const headers = head.subarray(at + delimiter.length, headersEnd).toString('utf8');
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (!name) return null;
    const valueStart = headersEnd + 4;
    if (name.toLowerCase() === 'file') return { fields, fileStart: valueStart };
    const next = head.indexOf(delimiter, valueStart);
    if (next < 0) return 'incomplete';
    fields[name.toLowerCase()] = head.subarray(valueStart, next - 2).toString('utf8');
    at = next;
  }
}

/** Finds the form fields and the file part's exact extent in a spooled multipart body. */
export async function readPostForm(file: string, boundary: string): Promise<PostUpload | null> {
  const handle = await open(file);
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, FIELDS_WINDOW));
    await handle.read(head, 0, head.length, 0);
    const form = parseFormHead(head, boundary);
    if (form === null || form === 'incomplete') return null;
    const delimiter = Buffer.from(`--${boundary}`);
    const tail = Buffer.alloc(Math.min(size - form.fileStart, delimiter.length + TAIL_ALLOWANCE));
    await handle.read(tail, 0, tail.length, size - tail.length);
    // The file ends at the first delimiter after it: search the tail from its start.
    const close = tail.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]));
    if (close < 0) return null;
    return { fields: form.fields, fileStart: form.fileStart, fileSize: size - tail.length + close - form.fileStart };
  } finally {
    await handle.close();
  }
}
