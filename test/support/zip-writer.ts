// A zip writer for test fixtures that can also lie: every header field can be overridden, so the corpus can
// hold the damaged and hostile archives real tools refuse to make (wrong sizes and CRCs, symlinks, encrypted
// flags, overlapping entries, zip64 records, spanned disks, non-UTF-8 names).
import { crc32, deflateRawSync } from 'node:zlib';

export interface EntrySpec {
  name: string | Buffer;
  data: Buffer | string;
  /** 0 stored, 8 deflate (default), anything else written as is with the data left raw. */
  method?: number;
  /** Raw bytes to write as the entry's data instead of compressing `data`. */
  raw?: Buffer;
  crc?: number;
  uncompressedSize?: number;
  compressedSize?: number;
  flags?: number;
  madeBy?: number;
  externalAttributes?: number;
  /** Write zip64 extra fields for this entry's sizes and offset. */
  zip64?: boolean;
  /** Put the sizes and CRC in a data descriptor after the data (flag bit 3). */
  dataDescriptor?: boolean;
  /** Central directory points at this other entry's local header (index). */
  pointAt?: number;
  /** A different name in the local header than in the directory. */
  localName?: string;
}

export interface ZipOptions {
  zip64?: boolean;
  comment?: Buffer | string;
  /** Overrides of the end record. */
  eocd?: { entries?: number; dirOffset?: number; dirSize?: number; disk?: number };
  /** Replace the directory's first signature (a damaged directory). */
  corruptDirectory?: boolean;
  /** Write a zip64 locator pointing nowhere. */
  brokenZip64?: boolean;
}

const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };

export function buildZip(specs: EntrySpec[], options: ZipOptions = {}): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer) => { parts.push(b); offset += b.length; };
  const written: { spec: EntrySpec; name: Buffer; offset: number; crc: number; size: number; csize: number; method: number; flags: number }[] = [];

  for (const spec of specs) {
    const name = Buffer.isBuffer(spec.name) ? spec.name : Buffer.from(spec.name, 'utf8');
    const data = Buffer.isBuffer(spec.data) ? spec.data : Buffer.from(spec.data, 'utf8');
    const method = spec.method ?? 8;
    const body = spec.raw ?? (method === 8 ? deflateRawSync(data) : data);
    const crc = spec.crc ?? crc32(data);
    const size = spec.uncompressedSize ?? data.length;
    const csize = spec.compressedSize ?? body.length;
    const utf8 = /[^\x00-\x7f]/.test(name.toString('latin1')) && Buffer.isBuffer(spec.name) === false ? 0x800 : 0;
    const flags = (spec.flags ?? 0) | utf8 | (spec.dataDescriptor ? 0x8 : 0);
    const zip64 = spec.zip64 || options.zip64;
    const localName = spec.localName ? Buffer.from(spec.localName) : name;
    const extra = zip64 ? Buffer.concat([u16(1), u16(16), u64(size), u64(csize)]) : Buffer.alloc(0);
    const entryOffset = offset;
    push(Buffer.concat([
      u32(0x04034b50), u16(zip64 ? 45 : 20), u16(flags), u16(method), u16(0), u16(0x21),
      u32(spec.dataDescriptor ? 0 : crc), u32(spec.dataDescriptor ? 0 : zip64 ? 0xffffffff : csize), u32(spec.dataDescriptor ? 0 : zip64 ? 0xffffffff : size),
      u16(localName.length), u16(extra.length), localName, extra,
    ]));
    push(body);
    if (spec.dataDescriptor) push(Buffer.concat([u32(0x08074b50), u32(crc), u32(csize), u32(size)]));
    written.push({ spec, name, offset: entryOffset, crc, size, csize, method, flags });
  }

  const dirOffset = offset;
  for (const w of written) {
    const zip64 = w.spec.zip64 || options.zip64;
    const at = w.spec.pointAt === undefined ? w.offset : written[w.spec.pointAt]!.offset;
    const extra = zip64 ? Buffer.concat([u16(1), u16(24), u64(w.size), u64(w.csize), u64(at)]) : Buffer.alloc(0);
    push(Buffer.concat([
      u32(0x02014b50), u16(w.spec.madeBy ?? (zip64 ? 0x032d : 0x0314)), u16(zip64 ? 45 : 20), u16(w.flags), u16(w.method), u16(0), u16(0x21),
      u32(w.crc), u32(zip64 ? 0xffffffff : w.csize), u32(zip64 ? 0xffffffff : w.size),
      u16(w.name.length), u16(extra.length), u16(0), u16(0), u16(0), u32(w.spec.externalAttributes ?? 0),
      u32(zip64 ? 0xffffffff : at), w.name, extra,
    ]));
  }
  const dirSize = offset - dirOffset;

  const count = options.eocd?.entries ?? written.length;
  if (options.zip64 || options.brokenZip64) {
    const recordOffset = offset;
    if (!options.brokenZip64) {
      push(Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(count), u64(count), u64(dirSize), u64(dirOffset)]));
    }
    push(Buffer.concat([u32(0x07064b50), u32(0), u64(options.brokenZip64 ? recordOffset + 1_000_000 : recordOffset), u32(1)]));
  }
  const comment = options.comment === undefined ? Buffer.alloc(0) : Buffer.from(options.comment);
  const z64 = options.zip64 ?? false;
  push(Buffer.concat([
    u32(0x06054b50), u16(options.eocd?.disk ?? 0), u16(options.eocd?.disk ?? 0), u16(z64 ? 0xffff : count), u16(z64 ? 0xffff : count),
    u32(z64 ? 0xffffffff : options.eocd?.dirSize ?? dirSize), u32(z64 ? 0xffffffff : options.eocd?.dirOffset ?? dirOffset), u16(comment.length), comment,
  ]));
  const zip = Buffer.concat(parts);
  if (options.corruptDirectory && written.length) zip.writeUInt32LE(0x12345678, dirOffset);
  return zip;
}
