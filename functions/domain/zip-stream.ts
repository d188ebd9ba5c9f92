// One sequential pass over the archive bytes: every byte is hashed (sha256 of the whole object) as it goes
// by, and the entries the directory listed are decoded in place, in offset order, each checked against its
// declared size and CRC. Nothing is buffered beyond the chunk in hand and what an inspector keeps.
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw, crc32 } from 'node:zlib';
import type { DirectoryEntry, Finding } from './zip-directory';

const LOCAL = 0x04034b50;
const EMPTY = Buffer.alloc(0);

/** Pulls exact byte counts out of a chunk stream, hashing everything it pulls. */
export class SequentialReader {
  position = 0;
  private pending: Buffer = EMPTY;
  private ended = false;
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly hash: Hash = createHash('sha256');

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.hash.update(chunk);
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    return true;
  }

  /** Exactly `n` bytes (n is small: a header), or null at the end of the data. */
  async read(n: number): Promise<Buffer | null> {
    while (this.pending.length < n) if (!(await this.pull())) return null;
    const out = Buffer.from(this.pending.subarray(0, n));
    this.pending = this.pending.subarray(n);
    this.position += n;
    return out;
  }

  /** Up to `n` bytes as they arrive; fewer only when the data ends. */
  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (!this.pending.length && !(await this.pull())) return;
      const piece = this.pending.subarray(0, Math.min(left, this.pending.length));
      this.pending = this.pending.subarray(piece.length);
      this.position += piece.length;
      left -= piece.length;
      yield piece;
    }
  }

  async skipTo(offset: number): Promise<void> {
    for await (const _ of this.take(offset - this.position));
  }

  /** Reads what is left, so the hash covers the whole object; returns the hex sha256 and the size. */
  async finish(): Promise<{ sha256: string; size: number }> {
    await this.skipTo(Number.MAX_SAFE_INTEGER);
    return { sha256: this.hash.digest('hex'), size: this.position };
  }

  close(): void {
    void this.iterator.return?.();
  }
}

/** Receives one entry's decompressed bytes. */
export interface EntryInspector {
  update(chunk: Buffer): void;
  /** Called once the entry was read whole and its size and CRC matched. */
  finish(): void;
}

class SizeLie extends Error {}

/**
 * Walks the safe entries in offset order; each inspector learns where its entry's data starts. An entry that fails a check gets an error finding and is skipped;
 * a truncated archive stops the walk (ZIP_TRUNCATED). Refused entries are never decoded, only hashed past.
 */
export async function walkEntries(
  reader: SequentialReader,
  entries: DirectoryEntry[],
  inspectorFor: (entry: DirectoryEntry, dataOffset: number) => EntryInspector | null,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const fail = (entry: DirectoryEntry, code: string, message: string) => findings.push({ code, message, file: entry.name });
  const ordered = entries.filter((e) => !e.refused && !e.isDirectory).sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);

  for (const entry of ordered) {
    if (reader.position > entry.localHeaderOffset) {
      fail(entry, 'ZIP_OVERLAPPING_ENTRIES', `${entry.name} starts inside another file's data; files that share bytes are refused.`);
      continue;
    }
    await reader.skipTo(entry.localHeaderOffset);
    const header = await reader.read(30);
    if (!header) return [...findings, truncated(entry)];
    if (header.readUInt32LE(0) !== LOCAL) {
      fail(entry, 'ZIP_CD_CORRUPT', `${entry.name} is not where the zip directory says it is; the archive is damaged.`);
      continue;
    }
    const nameLength = header.readUInt16LE(26);
    const extraLength = header.readUInt16LE(28);
    const names = await reader.read(nameLength + extraLength);
    if (!names) return [...findings, truncated(entry)];
    if (!names.subarray(0, nameLength).equals(entry.nameBytes)) {
      fail(entry, 'ZIP_CD_CORRUPT', `${entry.name} has a different name inside the archive than in its directory; the zip is damaged or hostile.`);
      continue;
    }
    if (header.readUInt16LE(8) !== entry.method || (header.readUInt16LE(6) & 0x41) !== (entry.flags & 0x41)) {
      fail(entry, 'ZIP_CD_CORRUPT', `${entry.name} is described differently inside the archive than in its directory; the zip is damaged or hostile.`);
      continue;
    }
    const dataStart = reader.position;
    const dataEnd = dataStart + entry.compressedSize;
    const inspector = inspectorFor(entry, dataStart);
    let produced = 0;
    let crc = 0;
    let lied = false;
    const consume = (chunk: Buffer) => {
      produced += chunk.length;
      if (produced > entry.uncompressedSize) {
        lied = true;
        throw new SizeLie();
      }
      crc = crc32(chunk, crc);
      inspector?.update(chunk);
    };
    try {
      if (entry.method === 0) {
        for await (const chunk of reader.take(entry.compressedSize)) consume(chunk);
      } else {
        const inflater = createInflateRaw();
        await pipeline(Readable.from(reader.take(entry.compressedSize), { objectMode: false }), inflater, async (inflated: AsyncIterable<Buffer>) => {
          for await (const chunk of inflated) consume(chunk);
        });
      }
    } catch (error) {
      if (!lied && reader.position < dataEnd && (await atEnd(reader))) return [...findings, truncated(entry)];
      if (lied || error instanceof SizeLie) {
        fail(entry, 'ZIP_BOMB', `${entry.name} declares ${entry.uncompressedSize} bytes but expands to more; declared sizes that lie are a zip-bomb technique.`);
      } else {
        fail(entry, 'ENTRY_CORRUPT', `${entry.name} cannot be decompressed (${(error as Error).message}); the archive is damaged.`);
      }
      await reader.skipTo(dataEnd);
      continue;
    }
    // A deflate stream may end before its declared compressed size; the rest is skipped, not decoded.
    await reader.skipTo(dataEnd);
    if (reader.position < dataEnd) return [...findings, truncated(entry)];
    if (produced !== entry.uncompressedSize) {
      fail(entry, 'ENTRY_SIZE_MISMATCH', `${entry.name} declares ${entry.uncompressedSize} bytes but holds ${produced}; the archive is damaged.`);
    } else if ((crc >>> 0) !== entry.crc32) {
      fail(entry, 'CRC_MISMATCH', `${entry.name} fails its checksum (CRC-32); the upload or the archive is corrupt.`);
    } else {
      inspector?.finish();
    }
  }
  return findings;
}

const truncated = (entry: DirectoryEntry): Finding => ({
  code: 'ZIP_TRUNCATED', message: `The archive ends inside ${entry.name}; the upload is truncated. Upload the whole file again.`, file: entry.name,
});

async function atEnd(reader: SequentialReader): Promise<boolean> {
  const probe = reader.take(1);
  const next = await probe.next();
  await probe.return(undefined);
  if (next.done) return true;
  // A byte was there: give it back by accounting (the walk skips to the entry's end anyway).
  return false;
}
