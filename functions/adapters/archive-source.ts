// An S3 object as an ArchiveSource: ranged GETs for the zip directory, one streamed GET for the pass.
// Every response must carry the ETag the S3 event named: an object replaced since its event is a different
// upload (its own event follows), so this one stops with StaleObject instead of validating the wrong bytes.
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { ArchiveSource } from '#domain/archive-inspection';
import { s3 } from './blob-store';

export class StaleObject extends Error {
  override readonly name = 'StaleObject';
}

export interface S3ArchiveSource extends ArchiveSource {
  /** Bytes [start, end) as they arrive, by one ranged GET. */
  streamRange(start: number, end: number): AsyncIterable<Buffer>;
  eTag: string;
  /** Bytes the GETs delivered, and how many GETs were made. */
  readonly stats: { bytesRead: number; requests: number };
}

const bare = (eTag: string | undefined) => (eTag ?? '').replace(/"/g, '');

/** `expected` comes from the S3 event; without it the object's current size and ETag are used. */
export async function s3ArchiveSource(bucket: string, key: string, expected: { size?: number; eTag?: string } = {}): Promise<S3ArchiveSource> {
  let { size, eTag } = expected;
  if (size === undefined || !eTag) {
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    size = head.ContentLength ?? 0;
    eTag = bare(head.ETag);
  }
  const wanted = bare(eTag);
  const stats = { bytesRead: 0, requests: 0 };

  const get = async (range?: { start: number; end: number }) => {
    stats.requests += 1;
    const response = await s3().send(new GetObjectCommand({
      Bucket: bucket, Key: key, IfMatch: `"${wanted}"`,
      ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}),
    })).catch((error: Error & { $metadata?: { httpStatusCode?: number } }) => {
      if (error.name === 'PreconditionFailed' || error.$metadata?.httpStatusCode === 412 || error.name === 'NoSuchKey') throw new StaleObject(`${key} was replaced or removed after its event.`);
      throw error;
    });
    if (bare(response.ETag) !== wanted) {
      (response.Body as Readable | undefined)?.destroy?.();
      throw new StaleObject(`${key} was replaced after its event (ETag ${bare(response.ETag)}, event ${wanted}).`);
    }
    return response.Body as Readable;
  };

  async function* counted(body: Readable): AsyncIterable<Buffer> {
    for await (const chunk of body) {
      stats.bytesRead += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }

  return {
    size,
    eTag: wanted,
    stats,
    async readRange(start, end) {
      const chunks: Buffer[] = [];
      for await (const chunk of counted(await get({ start, end }))) chunks.push(chunk);
      return Buffer.concat(chunks);
    },
    stream() {
      return (async function* () {
        yield* counted(await get());
      })();
    },
    streamRange(start, end) {
      return (async function* () {
        if (end > start) yield* counted(await get({ start, end }));
      })();
    },
  };
}
