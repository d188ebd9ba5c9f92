// The S3 side of dataset ingestion: what an uploaded object is now, the server-side copy of a READY version's
// bytes to its own key (marked, so its ObjectCreated event is not taken for a new upload), and a sidecar's text.
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from './blob-store';

/** Metadata on the copy of a version's bytes at its own key. */
const COPY_MARK = 'loraworks-version-copy';

const isMissing = (error: Error) => error.name === 'NotFound' || error.name === 'NoSuchKey';
const isRefused = (error: Error) => error.name === 'AccessDenied' || error.name === 'Forbidden' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403;

/**
 * S3 answers a missing key 403, not 404, to a caller without s3:ListBucket on the bucket: say so, rather than
 * take it for "no such object" (which would hide a bug of the grant) or pass on a bare AccessDenied.
 */
function refusedRead(error: Error, bucket: string, key: string): Error {
  if (!isRefused(error)) return error;
  return new Error(`S3 refused to read s3://${bucket}/${key} (403 ${error.name}): the function needs s3:GetObject on the key, and s3:ListBucket on the bucket for a missing key to read as absent (404) instead of forbidden.`, { cause: error });
}

export interface ObjectHead {
  /** Without quotes. */
  eTag: string;
  size?: number;
  lastModified?: Date;
  /** The object is a version's own copy, made by copyToVersionKey. */
  versionCopy: boolean;
}

/** The object as it is now; null when it is gone. */
export async function headObject(bucket: string, key: string): Promise<ObjectHead | null> {
  const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch((error: Error) => {
    if (isMissing(error)) return null;
    throw refusedRead(error, bucket, key);
  });
  if (!head) return null;
  return { eTag: (head.ETag ?? '').replace(/"/g, ''), size: head.ContentLength, lastModified: head.LastModified, versionCopy: Boolean(head.Metadata?.[COPY_MARK]) };
}

/** The object's ETag as S3 gives it, or undefined when it cannot be read. */
export async function objectETag(bucket: string, key: string): Promise<string | undefined> {
  const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(() => null);
  return head?.ETag || undefined;
}

/** Copies `from` (only while it still has `eTag`) to `to`, marked as the copy of `version`; the copy's ETag,
 * or 'replaced' when `from` no longer has `eTag` (a newer object was put at that key). */
export async function copyToVersionKey(bucket: string, from: string, to: string, eTag: string, version: number): Promise<string | 'replaced'> {
  const copied = await s3().send(new CopyObjectCommand({
    Bucket: bucket, Key: to, CopySource: `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`, CopySourceIfMatch: `"${eTag}"`,
    MetadataDirective: 'REPLACE', Metadata: { [COPY_MARK]: String(version) }, ContentType: 'application/zip',
  })).catch((error: unknown) => {
    const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (name === 'PreconditionFailed' || $metadata?.httpStatusCode === 412) return 'replaced' as const;
    throw error;
  });
  if (copied === 'replaced') return copied;
  return (copied.CopyObjectResult?.ETag ?? '').replace(/"/g, '');
}

/** A small object's text; 'too-large' past `maxBytes`, null when there is no such object. */
export async function readSmallText(bucket: string, key: string, maxBytes: number): Promise<string | 'too-large' | null> {
  try {
    const { Body, ContentLength } = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if ((ContentLength ?? 0) > maxBytes) return 'too-large';
    const chunks: Buffer[] = [];
    for await (const chunk of (Body ?? []) as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (isMissing(error as Error)) return null;
    throw refusedRead(error as Error, bucket, key);
  }
}

/** An AWS call failure a retry can get past (throttling, 5xx, a dropped connection). */
export const isTransientAwsError = (error: unknown): boolean => {
  const e = error as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ?? 0;
  return Boolean(e.$retryable) || status >= 500 || status === 429 || ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE'].includes(e.code ?? '')
    || ['TimeoutError', 'ThrottlingException', 'SlowDown', 'InternalError', 'ServiceUnavailable', 'ProvisionedThroughputExceededException'].includes(e.name ?? '');
};
