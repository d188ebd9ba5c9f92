// A version's file list in pages: a manifest of tens of thousands of files is more than one Lambda response may
// carry (6 MB), so GET …/files answers a page at a time, cut by count and by size, with a cursor to the next.
import type { DatasetFile } from './schemas';
/** A page's files stop before this many bytes of JSON: with the link and the cursor, well inside the 6 MB quota. */
export const FILES_PAGE_BYTES = 4 * 1024 * 1024;

/** The files from `start`, at most `limit` and `maxBytes` of them (always at least one), and where the next page starts. */
export function filesPage(files: readonly DatasetFile[], start: number, limit: number, maxBytes = FILES_PAGE_BYTES): { files: DatasetFile[]; next?: number } {
  let end = start;
  let bytes = 0;
  while (end < files.length && end - start < limit) {
    bytes += Buffer.byteLength(JSON.stringify(files[end])) + 1;
    if (bytes > maxBytes && end > start) break;
    end += 1;
  }
  return { files: files.slice(start, end), ...(end < files.length ? { next: end } : {}) };
}

export const encodeFilesCursor = (start: number): string => Buffer.from(JSON.stringify({ from: start })).toString('base64url');

/** Where a cursor this API issued for a list of `total` files starts; null for any other string. */
export function decodeFilesCursor(cursor: string, total: number): number | null {
  try {
    const { from } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { from?: unknown };
    return Number.isInteger(from) && (from as number) > 0 && (from as number) < total ? (from as number) : null;
  } catch {
    return null;
  }
}
