// S3 access: presigned POST uploads, presigned downloads, streaming writes and ranged reads.
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { config, sdkHttp } from './config';

let client: S3Client | undefined;

/** Created on first use; the endpoint comes from AWS_ENDPOINT_URL_S3 (the SDK reads it), path style from config. */
export const s3 = (): S3Client => (client ??= new S3Client({ forcePathStyle: config.s3ForcePathStyle, ...sdkHttp }));

export interface PresignedUpload {
  url: string;
  fields: Record<string, string>;
}

/** A POST policy that accepts exactly the declared size at exactly this key. */
export async function presignUpload(bucket: string, key: string, sizeBytes: number, expiresSeconds = 3600, contentType = 'application/zip'): Promise<PresignedUpload> {
  const { url, fields } = await createPresignedPost(s3(), {
    Bucket: bucket,
    Key: key,
    Conditions: [['content-length-range', sizeBytes, sizeBytes]],
    Fields: { 'Content-Type': contentType },
    Expires: expiresSeconds,
  });
  return { url, fields };
}

/** Static credentials to presign with instead of the function's own (whose session may end before the link). */
export interface SigningCredentials { accessKeyId: string; secretAccessKey: string }

const signers = new Map<string, S3Client>();
const signerFor = (credentials: SigningCredentials): S3Client => {
  const id = `${credentials.accessKeyId}:${credentials.secretAccessKey}`;
  let signer = signers.get(id);
  if (!signer) {
    signer = new S3Client({ forcePathStyle: config.s3ForcePathStyle, credentials: { ...credentials }, ...sdkHttp });
    signers.clear(); // one signer at a time: a rotated key replaces the old one
    signers.set(id, signer);
  }
  return signer;
};

export async function presignDownload(bucket: string, key: string, expiresSeconds: number, fileName?: string, credentials?: SigningCredentials): Promise<string> {
  return getSignedUrl(
    credentials ? signerFor(credentials) : s3(),
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(fileName ? { ResponseContentDisposition: `attachment; filename="${fileName.replace(/"/g, '')}"` } : {}),
    }),
    { expiresIn: expiresSeconds },
  );
}

/** Streams a body into S3 as a multipart upload, never holding the whole file. */
export async function uploadStream(bucket: string, key: string, body: Readable, contentType = 'application/octet-stream'): Promise<void> {
  await new Upload({ client: s3(), params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType } }).done();
}

export async function deleteObject(bucket: string, key: string): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

export async function objectSize(bucket: string, key: string): Promise<number> {
  const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return head.ContentLength ?? 0;
}

/** The object as a stream; `end` is inclusive when given, as in an HTTP Range. */
export async function readObject(bucket: string, key: string, range?: { start: number; end: number }): Promise<Readable> {
  const { Body } = await s3().send(new GetObjectCommand({
    Bucket: bucket,
    Key: key,
    ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
  }));
  if (!Body) throw new Error(`s3://${bucket}/${key} has no body.`);
  return Body instanceof Readable ? Body : Readable.fromWeb(Body.transformToWebStream() as never);
}

/**
 * A readable for [start, end) that issues its ranged GET only when first read, which is what a zip reader
 * wants from an S3 object (it asks for many ranges and may abandon some).
 */
export function rangeStream(bucket: string, key: string, start: number, end: number): Readable {
  let source: Readable | undefined;
  return new Readable({
    read() {
      if (source) return void source.resume();
      readObject(bucket, key, { start, end: end - 1 }).then(
        (stream) => {
          source = stream;
          stream.on('data', (chunk: Buffer) => { if (!this.push(chunk)) stream.pause(); });
          stream.on('end', () => this.push(null));
          stream.on('error', (error) => this.destroy(error));
        },
        (error: Error) => this.destroy(error),
      );
    },
    destroy(error, callback) {
      source?.destroy();
      callback(error);
    },
  });
}
