// Lists a zip's files with the first bytes of each, reading only what it needs: the central directory and
// the head of each entry. The bytes come from a buffer or a ranged reader the caller provides (an S3 object).
import type { Readable } from 'node:stream';
import { constants, createInflateRaw } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

export interface ArchiveEntry {
  name: string;
  size: number;
  /** The first bytes of the file (up to the head size asked for), decompressed. */
  head: Uint8Array;
}

/** Random access to the archive bytes: `end` is exclusive. */
export interface RangeSource {
  size: number;
  readRange(start: number, end: number): Readable;
}

export class UnreadableArchive extends Error {
  override readonly name = 'UnreadableArchive';
}

const STORED = 0;
const DEFLATED = 8;

export async function listArchive(
  source: Buffer | RangeSource,
  wantsHead: (name: string) => number,
): Promise<ArchiveEntry[]> {
  const zip = await openZip(source).catch((error: Error) => {
    throw new UnreadableArchive(`The file is not a readable zip archive (${error.message}).`);
  });
  try {
    const entries: ArchiveEntry[] = [];
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      if (entry.fileName.endsWith('/')) continue;
      const headBytes = wantsHead(entry.fileName);
      const head = headBytes > 0 && entry.uncompressedSize > 0 ? await readHead(zip, entry, headBytes) : new Uint8Array();
      entries.push({ name: entry.fileName, size: entry.uncompressedSize, head });
    }
    return entries;
  } finally {
    zip.close();
  }
}

const OPTIONS = { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, autoClose: false };

function openZip(source: Buffer | RangeSource): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip: ZipFile) => (err ? reject(err) : resolve(zip));
    if (Buffer.isBuffer(source)) return yauzl.fromBuffer(source, OPTIONS, done);
    const reader = new (class extends yauzl.RandomAccessReader {
      override _readStreamForRange(start: number, end: number) { return source.readRange(start, end); }
    })();
    yauzl.fromRandomAccessReader(reader, source.size, OPTIONS, done);
  });
}

function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => { zip.off('entry', onEntry); zip.off('end', onEnd); zip.off('error', onError); };
    const onEntry = (entry: Entry) => { cleanup(); resolve(entry); };
    const onEnd = () => { cleanup(); resolve(null); };
    const onError = (error: Error) => { cleanup(); reject(new UnreadableArchive(`The zip archive is damaged (${error.message}).`)); };
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

// Reads only the raw prefix and inflates what it can: a partial deflate stream still yields its first bytes.
async function readHead(zip: ZipFile, entry: Entry, bytes: number): Promise<Uint8Array> {
  if (entry.isEncrypted() || (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED)) return new Uint8Array();
  const rawEnd = Math.min(entry.compressedSize, bytes);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    zip.openReadStream(entry, { decodeFileData: false, start: 0, end: rawEnd }, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
    });
  });
  if (entry.compressionMethod === STORED) return raw.subarray(0, bytes);
  return inflatePrefix(raw, bytes);
}

// Stops as soon as enough bytes came out, so a highly compressible entry cannot balloon in memory.
function inflatePrefix(raw: Buffer, bytes: number): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    let length = 0;
    const inflater = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH });
    const finish = () => { inflater.destroy(); resolve(Buffer.concat(out).subarray(0, bytes)); };
    inflater.on('data', (chunk: Buffer) => { out.push(chunk); length += chunk.length; if (length >= bytes) finish(); });
    inflater.on('end', finish).on('error', finish);
    inflater.end(raw);
  });
}
