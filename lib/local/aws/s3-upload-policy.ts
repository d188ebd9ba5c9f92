// The local S3's front door. s3rver ignores POST policies, so this proxy does what S3 does in AWS for a
// browser (presigned POST) upload: it decodes the policy the API signed and refuses a file outside its
// content-length-range (EntityTooLarge / EntityTooSmall) or an expired policy, before anything is stored.
// Every other request passes through untouched (same method, path and headers, streamed both ways).
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Fields come before the file in an S3 POST form; this is more than any form's fields need. */
const FIELDS_WINDOW = 256 * 1024;

export interface PostUpload {
  fields: Record<string, string>;
  fileStart: number;
  fileSize: number;
}

export function s3UploadPolicyProxy(upstream: { host: string; port: number }, spoolDir = tmpdir()) {
  const pass = (req: IncomingMessage, res: ServerResponse, body: NodeJS.ReadableStream = req) => {
    const forward = request({ host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    body.pipe(forward);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://s3').pathname;
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] ?? '');
    if (req.method !== 'POST' || !boundary || !/^\/[^/]+\/?$/.test(path)) return pass(req, res);

    const spool = join(spoolDir, `loraworks-post-${randomUUID()}`);
    try {
      await pipeline(req, createWriteStream(spool));
      const upload = await readPostForm(spool, (boundary[1] ?? boundary[2])!.trim());
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
