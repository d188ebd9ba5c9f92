// Writes a zip front to back without holding it: entries copied raw from another zip (their local header, data
// and data descriptor passed through unchanged, so only their central record is written anew) and new small
// entries (caption files) made here, then a fresh central directory, zip64 where offsets, sizes or the count
// need it. Pure: it returns the bytes to emit; the caller streams the copied bytes itself.
import { crc32, deflateRawSync } from 'node:zlib';
import type { DirectoryEntry } from './zip-directory';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
/** General purpose flag 11: the name is UTF-8. */
const UTF8_FLAG = 0x0800;

/** An entry's central-directory facts, as zip-directory.ts reads them. */
export type EntryRecord = Pick<DirectoryEntry, 'nameBytes' | 'flags' | 'method' | 'crc32' | 'compressedSize' | 'uncompressedSize' | 'modTime' | 'modDate'>;

interface Placed extends EntryRecord { offset: number }

/** MS-DOS time and date of `at` (UTC; two-second resolution). */
export function dosDateTime(at: Date): { modTime: number; modDate: number } {
  const year = Math.max(1980, at.getUTCFullYear());
  return {
    modTime: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | (at.getUTCSeconds() >> 1),
    modDate: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

export class ZipWriter {
  private offset = 0;
  private readonly placed: Placed[] = [];

  /** Bytes emitted so far. */
  get position(): number {
    return this.offset;
  }

  get entries(): number {
    return this.placed.length;
  }

  /**
   * Records an entry whose raw bytes (local header through data descriptor, `length` bytes) the caller emits
   * next, unchanged.
   */
  copied(entry: EntryRecord, length: number): void {
    this.placed.push({ ...entry, offset: this.offset });
    this.offset += length;
  }

  /** A new entry, whole (local header and data), deflated unless that would not make it smaller. */
  added(name: string, content: Buffer, at: Date): Buffer {
    const nameBytes = Buffer.from(name, 'utf8');
    const deflated = deflateRawSync(content);
    const [method, data] = deflated.length < content.length ? [8, deflated] : [0, content];
    const { modTime, modDate } = dosDateTime(at);
    const entry: EntryRecord = { nameBytes, flags: UTF8_FLAG, method, crc32: crc32(content) >>> 0, compressedSize: data.length, uncompressedSize: content.length, modTime, modDate };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(entry.flags, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(modTime, 10);
    header.writeUInt16LE(modDate, 12);
    header.writeUInt32LE(entry.crc32, 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(content.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    const bytes = Buffer.concat([header, nameBytes, data]);
    this.placed.push({ ...entry, offset: this.offset });
    this.offset += bytes.length;
    return bytes;
  }

  /** The central directory and end records; nothing may be added after. */
  finish(): Buffer {
    const directoryOffset = this.offset;
    const records = this.placed.map(centralRecord);
    const directory = Buffer.concat(records);
    const count = this.placed.length;
    const zip64 = count >= MAX16 || directory.length >= MAX32 || directoryOffset >= MAX32;
    const parts = [directory];
    if (zip64) {
      const recordOffset = directoryOffset + directory.length;
      const record = Buffer.alloc(56);
      record.writeUInt32LE(ZIP64_EOCD, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(45, 12);
      record.writeUInt16LE(45, 14);
      record.writeBigUInt64LE(BigInt(count), 24);
      record.writeBigUInt64LE(BigInt(count), 32);
      record.writeBigUInt64LE(BigInt(directory.length), 40);
      record.writeBigUInt64LE(BigInt(directoryOffset), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(ZIP64_LOCATOR, 0);
      locator.writeBigUInt64LE(BigInt(recordOffset), 8);
      locator.writeUInt32LE(1, 16);
      parts.push(record, locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(EOCD, 0);
    end.writeUInt16LE(Math.min(count, MAX16), 8);
    end.writeUInt16LE(Math.min(count, MAX16), 10);
    end.writeUInt32LE(Math.min(directory.length, MAX32), 12);
    end.writeUInt32LE(Math.min(directoryOffset, MAX32), 16);
    parts.push(end);
    const bytes = Buffer.concat(parts);
    this.offset += bytes.length;
    return bytes;
  }
}

/** One central header; a zip64 extra field carries whichever of the sizes and the offset do not fit 32 bits. */
function centralRecord(entry: Placed): Buffer {
  const big = [entry.uncompressedSize, entry.compressedSize, entry.offset].map((n) => n >= MAX32);
  const extraValues = [entry.uncompressedSize, entry.compressedSize, entry.offset].filter((_, i) => big[i]);
  const extra = Buffer.alloc(extraValues.length ? 4 + 8 * extraValues.length : 0);
  if (extraValues.length) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8 * extraValues.length, 2);
    extraValues.forEach((value, i) => extra.writeBigUInt64LE(BigInt(value), 4 + 8 * i));
  }
  const version = extraValues.length ? 45 : 20;
  const header = Buffer.alloc(46);
  header.writeUInt32LE(CENTRAL, 0);
  header.writeUInt16LE(version, 4); // made by: MS-DOS, this version
  header.writeUInt16LE(version, 6);
  header.writeUInt16LE(entry.flags, 8);
  header.writeUInt16LE(entry.method, 10);
  header.writeUInt16LE(entry.modTime ?? 0, 12);
  header.writeUInt16LE(entry.modDate ?? 0x21, 14);
  header.writeUInt32LE(entry.crc32 >>> 0, 16);
  header.writeUInt32LE(big[1] ? MAX32 : entry.compressedSize, 20);
  header.writeUInt32LE(big[0] ? MAX32 : entry.uncompressedSize, 24);
  header.writeUInt16LE(entry.nameBytes.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt32LE(big[2] ? MAX32 : entry.offset, 42);
  return Buffer.concat([header, entry.nameBytes, extra]);
}
