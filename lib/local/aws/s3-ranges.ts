// How S3 reads a GET's (or HEAD's) Range header, which s3rver does not: s3rver splits the value on '-', so a
// suffix range (`bytes=-N`, the last N bytes) gives the first N, and several ranges or `5-2` give nonsense. S3
// answers a suffix with the object's last N bytes (all of them when N is larger), refuses `bytes=-0` as
// InvalidRange, and ignores a header that is not one well-formed byte range, answering the whole object (RFC 9110
// §14.2; S3 serves one range per GET). Written by hand: it is the front's own translation for s3rver.
import type { IncomingHttpHeaders } from 'node:http';
import type { S3Refusal } from './s3-auth';

type RangeReading =
  | { kind: 'as-is' }
  | { kind: 'ignored' }
  | { kind: 'suffix'; length: number };

const ONE_RANGE = /^bytes=(\d*)-(\d*)$/;

/** What S3 makes of a Range header before it knows the object's size. */
function readRange(header: string | undefined): RangeReading {
  if (header === undefined) return { kind: 'as-is' };
  const match = ONE_RANGE.exec(header.trim());
  if (!match) return { kind: 'ignored' };
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return { kind: 'ignored' };
  if (first === '') return { kind: 'suffix', length: Number(last) };
  if (last !== '' && Number(last) < Number(first)) return { kind: 'ignored' };
  return { kind: 'as-is' };
}

/** The last `length` bytes of an object of `size` bytes as a first-last range, or S3's refusal when there are none. */
function suffixRange(length: number, size: number, requested: string): { header: string } | { refusal: S3Refusal } {
  if (length === 0 || size === 0) {
    return { refusal: { status: 416, code: 'InvalidRange', message: 'The requested range is not satisfiable', details: { RangeRequested: requested, ActualObjectSize: String(size) } } };
  }
  return { header: `bytes=${Math.max(0, size - length)}-${size - 1}` };
}

/** The headers s3rver gets for S3's reading of the Range: as sent, without it, or the suffix made absolute
 * (`sizeOf` asks s3rver for the object's size; null when it has no such object, which s3rver then answers). */
export async function s3rverRange(headers: IncomingHttpHeaders, sizeOf: () => Promise<number | null>): Promise<{ headers: IncomingHttpHeaders } | { refusal: S3Refusal }> {
  const reading = readRange(headers.range);
  if (reading.kind === 'as-is') return { headers };
  const { range, ...rest } = headers;
  if (reading.kind === 'ignored') return { headers: rest };
  const size = await sizeOf();
  if (size === null) return { headers: rest };
  const absolute = suffixRange(reading.length, size, range!);
  return 'refusal' in absolute ? absolute : { headers: { ...rest, range: absolute.header } };
}
