// The local S3's front door. s3rver ignores POST policies, so this proxy does what S3 does in AWS for a
// browser (presigned POST) upload: it decodes the policy the API signed and refuses a file outside its
// content-length-range (EntityTooLarge / EntityTooSmall) or an expired policy, before anything is stored.
// Every request but a CORS preflight is authenticated and authorized first (s3-auth.ts), then reaches s3rver
// signed as the developer (same method, path and body, streamed both ways).
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { request, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { admitPostForm, admitS3Request, missingObjectRefusal, s3ErrorXml, type Admission, type S3Access, type S3Refusal } from './s3-auth';

/** Fields come before the file in an S3 POST form; this is more than any form's fields need. */
const FIELDS_WINDOW = 256 * 1024;

export interface PostUpload {
  fields: Record<string, string>;
  fileStart: number;
  fileSize: number;
}

/** `upstream`: where s3rver listens (a unix socket, or host and port). */
export function s3UploadPolicyProxy(upstream: Pick<RequestOptions, 'host' | 'port' | 'socketPath'>, spoolDir = tmpdir(), access?: S3Access) {
  const pass = (req: IncomingMessage, res: ServerResponse, body: NodeJS.ReadableStream | Buffer = req, admitted?: Admission) => {
    const target = admitted ? { path: admitted.path, headers: admitted.headers } : { path: req.url, headers: req.headers };
    const forward = request({ ...upstream, method: req.method, ...target }, (answer) => {
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
    const path = new URL(req.url ?? '/', 'http://s3').pathname;
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] ?? '');
    if (req.method !== 'POST' || !boundary || !/^\/[^/]+\/?$/.test(path)) {
      if (!access || req.method === 'OPTIONS') return pass(req, res); // a CORS preflight is anonymous, as in S3
      const admitted = await admitS3Request(req, access);
      if ('status' in admitted) return refuse(req, res, admitted);
      return pass(req, res, admitted.body ?? req, admitted);
    }

    const spool = join(spoolDir, `loraworks-post-${randomUUID()}`);
    try {
      await pipeline(req, createWriteStream(spool));
      const upload = await readPostForm(spool, (boundary[1] ?? boundary[2])!.trim());
      const denied = upload && access ? await admitPostForm(decodeURIComponent(path.split('/')[1]!), upload.fields, access) : null;
      if (denied) return refuse(req, res, denied);
      const refusal = upload ? checkPolicy(upload) : { status: 400, code: 'MalformedPOSTRequest', message: 'The body of your POST request is not well-formed multipart/form-data.' };
      if (refusal) {
        res.writeHead(refusal.status, { 'content-type': 'application/xml', 'access-control-allow-origin': req.headers.origin ?? '*' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${refusal.message}</Message>${refusal.extra ?? ''}<RequestId>${randomUUID()}</RequestId></Error>`);
        return;
      }
      await new Promise<void>((resolve) => {
        res.on('close', resolve);
        pass(req, res, createReadStream(spool));
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

/** S3's error answer: XML with Code, Message and RequestId (no body for a HEAD), CORS-readable. */
function refuse(req: IncomingMessage, res: ServerResponse, refusal: S3Refusal): void {
  req.resume();
  const body = req.method === 'HEAD' ? '' : s3ErrorXml(refusal);
  res.writeHead(refusal.status, { 'content-type': 'application/xml', 'access-control-allow-origin': req.headers.origin ?? '*', 'x-amz-request-id': randomUUID().slice(0, 16) });
  res.end(body);
}

/** Finds the form fields and the file part's exact extent in a spooled multipart body. */
export async function readPostForm(file: string, boundary: string): Promise<PostUpload | null> {
  const handle = await open(file);
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, FIELDS_WINDOW));
    await handle.read(head, 0, head.length, 0);
    const delimiter = Buffer.from(`--${boundary}`);
    const fields: Record<string, string> = {};
    let at = head.indexOf(delimiter);
    while (at >= 0) {
      const headersEnd = head.indexOf('\r\n\r\n', at);
      if (headersEnd < 0) return null;
      const headers = head.subarray(at + delimiter.length, headersEnd).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      if (!name) return null;
      const valueStart = headersEnd + 4;
      if (name.toLowerCase() === 'file') {
        const tail = Buffer.alloc(Math.min(size - valueStart, delimiter.length + 512));
        await handle.read(tail, 0, tail.length, size - tail.length);
        const close = tail.lastIndexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]));
        if (close < 0) return null;
        return { fields, fileStart: valueStart, fileSize: size - tail.length + close - valueStart };
      }
      const next = head.indexOf(delimiter, valueStart);
      if (next < 0) return null;
      fields[name.toLowerCase()] = head.subarray(valueStart, next - 2).toString('utf8');
      at = next;
    }
    return null;
  } finally {
    await handle.close();
  }
}

interface Refusal { status: number; code: string; message: string; extra?: string }

export function checkPolicy(upload: PostUpload, now = new Date()): Refusal | null {
  const encoded = upload.fields.policy;
  if (!encoded) return null; // an unsigned form: s3rver decides, as S3 would for a public bucket
  let policy: { expiration?: string; conditions?: unknown[] };
  try {
    policy = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as typeof policy;
  } catch {
    return { status: 400, code: 'InvalidPolicyDocument', message: 'Invalid Policy: Invalid JSON.' };
  }
  if (policy.expiration && Date.parse(policy.expiration) < now.getTime()) {
    return { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' };
  }
  const range = policy.conditions?.find((c): c is [string, number, number] => Array.isArray(c) && c[0] === 'content-length-range');
  if (!range) return null;
  const [, min, max] = range;
  if (upload.fileSize > max) {
    return { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size', extra: `<ProposedSize>${upload.fileSize}</ProposedSize><MaxSizeAllowed>${max}</MaxSizeAllowed>` };
  }
  if (upload.fileSize < min) {
    return { status: 400, code: 'EntityTooSmall', message: 'Your proposed upload is smaller than the minimum allowed size', extra: `<ProposedSize>${upload.fileSize}</ProposedSize><MinSizeAllowed>${min}</MinSizeAllowed>` };
  }
  return null;
}
