// The upload of a dataset archive to its presigned POST, streamed: the form's fields, then the file's bytes as
// they come (from disk or from the zip being made), with a byte count for the progress bar. S3 wants the length
// of the whole body up front, so the size is known before the first byte goes.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { failure } from './errors';

export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

const quote = (text: string) => text.replace(/["\\\r\n]/g, (c) => encodeURIComponent(c));

/** Posts `fields` and then `file` (exactly `size` bytes) as multipart/form-data; resolves once S3 accepts it. */
export async function postFile(upload: PresignedPost, file: Readable, size: number, fileName: string, onBytes: (sent: number) => void): Promise<void> {
  const boundary = `----loraworks${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    Object.entries(upload.fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`).join('')
    + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(fileName)}"\r\nContent-Type: application/zip\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(upload.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length } });
    req.on('response', resolve);
    req.on('error', (error) => reject(failure(`The upload to storage failed: ${error.message}. Try again.`)));
    req.write(head);
    let sent = 0;
    file.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (sent > size) {
        req.destroy();
        file.destroy();
        reject(failure(`The file grew while it was sent (more than the ${size} bytes announced). Leave it alone during the upload and try again.`));
        return;
      }
      onBytes(sent);
      if (!req.write(chunk)) {
        file.pause();
        req.once('drain', () => file.resume());
      }
    });
    file.on('error', (error) => {
      req.destroy();
      reject(failure(`Reading the file failed: ${error.message}.`));
    });
    file.on('end', () => {
      if (sent !== size) {
        req.destroy();
        reject(failure(`The file changed while it was sent (${sent} bytes instead of ${size}). Leave it alone during the upload and try again.`));
        return;
      }
      req.end(tail);
    });
  });

  let body = '';
  response.setEncoding('utf8');
  for await (const chunk of response) body += chunk as string;
  if (response.statusCode && response.statusCode < 300) return;
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  throw failure(`Storage refused the upload (${response.statusCode}${code ? ` ${code}` : ''})${message ? `: ${message}` : ''}. Run the upload again for a fresh link.`);
}
