// A large dataset zip that exists only as a layout: any byte range of it is generated on the fly, so a test
// or a benchmark can serve a ≥ 1 GiB archive (captioned PNGs, stored, some with data descriptors) without
// holding it in memory or on disk. Image pixels are slices of one noise buffer, a different slice per image;
// every CRC (the zip's and the PNG chunks') is right, so the validator takes it like any upload.
import { crc32, deflateRawSync } from 'node:zlib';

export interface SyntheticEntry {
  name: string;
  /** Where its local header starts and where its raw bytes (through any data descriptor) end. */
  offset: number;
  end: number;
  /** Local header length (30 + name). */
  headerLength: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  dataDescriptor: boolean;
}

export interface SyntheticZip {
  size: number;
  entries: SyntheticEntry[];
  /** Bytes [start, end), generated as they are asked for, in chunks of at most `chunkBytes`. */
  chunks(start: number, end: number, chunkBytes?: number): Generator<Buffer>;
  /** Bytes [start, end), whole (small ranges). */
  read(start: number, end: number): Buffer;
}

export const syntheticImageName = (i: number): string => `images/photo-${String(i).padStart(4, '0')}.png`;
export const syntheticCaptionName = (i: number): string => `images/photo-${String(i).padStart(4, '0')}.txt`;
export const syntheticCaption = (i: number): string => `a photo of [trigger], number ${i}, in soft light`;

const NOISE = 1024 * 1024;
const WIDTH = 1024;

/** A segment of the archive: literal bytes, or `length` bytes of noise starting at `shift`. */
type Segment = { start: number; length: number; bytes: Buffer } | { start: number; length: number; shift: number };

const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const be32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };

/** `images` captioned PNGs of about `bytesPerImage` each; every `descriptorEvery`-th image has a data descriptor. */
export function syntheticDatasetZip({ images, bytesPerImage, descriptorEvery = 3, seed = 1 }: { images: number; bytesPerImage: number; descriptorEvery?: number; seed?: number }): SyntheticZip {
  const noise = seededNoise(NOISE, seed);
  const doubled = Buffer.concat([noise, noise]);
  const segments: Segment[] = [];
  const entries: SyntheticEntry[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const literal = (bytes: Buffer) => {
    segments.push({ start: offset, length: bytes.length, bytes });
    offset += bytes.length;
  };

  const payloadLength = Math.max(1024, Math.floor(bytesPerImage) - 57);
  const height = Math.max(1, Math.floor(payloadLength / (WIDTH * 3)));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(WIDTH, 0); ihdr.writeUInt32BE(height, 4); ihdr.set([8, 2, 0, 0, 0], 8);
  const ihdrChunk = Buffer.concat([be32(13), Buffer.from('IHDR'), ihdr, be32(crc32(Buffer.concat([Buffer.from('IHDR'), ihdr])))]);
  const pngPrefix = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdrChunk, be32(payloadLength), Buffer.from('IDAT')]);
  const iend = Buffer.concat([be32(0), Buffer.from('IEND'), be32(crc32(Buffer.from('IEND')))]);

  const addEntry = (name: string, method: number, crc: number, size: number, body: () => void, compressedSize: number, dataDescriptor: boolean) => {
    const nameBytes = Buffer.from(name);
    const flags = 0x800 | (dataDescriptor ? 0x8 : 0);
    const start = offset;
    literal(Buffer.concat([
      u32(0x04034b50), u16(20), u16(flags), u16(method), u16(0), u16(0x21),
      u32(dataDescriptor ? 0 : crc), u32(dataDescriptor ? 0 : compressedSize), u32(dataDescriptor ? 0 : size), u16(nameBytes.length), u16(0), nameBytes,
    ]));
    body();
    if (dataDescriptor) literal(Buffer.concat([u32(0x08074b50), u32(crc), u32(compressedSize), u32(size)]));
    entries.push({ name, offset: start, end: offset, headerLength: 30 + nameBytes.length, method, crc32: crc, compressedSize, uncompressedSize: size, dataDescriptor });
    central.push(Buffer.concat([
      u32(0x02014b50), u16(0x031e), u16(20), u16(flags), u16(method), u16(0), u16(0x21), u32(crc), u32(compressedSize), u32(size),
      u16(nameBytes.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(start), nameBytes,
    ]));
  };

  for (let i = 0; i < images; i++) {
    const shift = (i * 4099) % NOISE;
    const payload = { start: 0, length: payloadLength, shift };
    let idatCrc = crc32('IDAT');
    for (const piece of noiseChunks(doubled, shift, payloadLength)) idatCrc = crc32(piece, idatCrc);
    const suffix = Buffer.concat([be32(idatCrc), iend]);
    let crc = crc32(pngPrefix);
    for (const piece of noiseChunks(doubled, shift, payloadLength)) crc = crc32(piece, crc);
    crc = crc32(suffix, crc);
    const size = pngPrefix.length + payloadLength + suffix.length;
    addEntry(syntheticImageName(i), 0, crc, size, () => {
      literal(pngPrefix);
      segments.push({ ...payload, start: offset });
      offset += payloadLength;
      literal(suffix);
    }, size, descriptorEvery > 0 && i % descriptorEvery === 1);
    const caption = Buffer.from(syntheticCaption(i));
    const deflated = deflateRawSync(caption);
    addEntry(syntheticCaptionName(i), 8, crc32(caption), caption.length, () => literal(deflated), deflated.length, false);
  }
  const directory = Buffer.concat(central);
  const eocd = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(directory.length), u32(offset), u16(0)]);
  literal(Buffer.concat([directory, eocd]));
  const size = offset;

  function* chunks(start: number, end: number, chunkBytes = 1024 * 1024): Generator<Buffer> {
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segments[mid]!.start <= start) lo = mid;
      else hi = mid - 1;
    }
    let at = start;
    for (let s = lo; s < segments.length && at < end; s++) {
      const segment = segments[s]!;
      const segmentEnd = Math.min(end, segment.start + segment.length);
      while (at < segmentEnd) {
        const length = Math.min(segmentEnd - at, chunkBytes);
        const within = at - segment.start;
        if ('bytes' in segment) yield segment.bytes.subarray(within, within + length);
        else {
          const from = (segment.shift + within) % NOISE;
          yield doubled.subarray(from, from + Math.min(length, NOISE));
          at += Math.min(length, NOISE);
          continue;
        }
        at += length;
      }
    }
  }
  return { size, entries, chunks, read: (start, end) => Buffer.concat([...chunks(start, end)]) };
}

/** The same bytes for the same seed, in any process (xorshift32), so two processes can make the same zip. */
function seededNoise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  return out;
}

function* noiseChunks(doubled: Buffer, shift: number, length: number): Generator<Buffer> {
  for (let at = 0; at < length; at += NOISE) {
    const from = (shift + at) % NOISE;
    yield doubled.subarray(from, from + Math.min(NOISE, length - at));
  }
}
