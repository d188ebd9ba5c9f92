// A large dataset zip written to disk as it is made, one entry in memory at a time: captioned PNGs that a browser
// really decodes (tinted noise, so they weigh what photos weigh and do not compress away), half of them stored
// and half deflated, each with a deflated .txt caption. Used by the editor-grid benchmark.
import { randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';

export interface NoiseDatasetZip {
  size: number;
  images: number;
  stored: number;
  deflated: number;
  width: number;
}

const WIDTH = 1024;
/** What deflate leaves of 7-bit noise (measured), so deflated images are made larger to weigh the same. */
const DEFLATED_RATIO = 0.88;

const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const be32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };

export const noiseImageName = (i: number): string => `images/shot-${String(i).padStart(4, '0')}.png`;

/** Writes `images` captioned PNGs to `path`, together at least `targetBytes`. */
export async function writeNoiseDatasetZip(path: string, { images, targetBytes }: { images: number; targetBytes: number }): Promise<NoiseDatasetZip> {
  const out = createWriteStream(path);
  let offset = 0;
  const write = async (bytes: Buffer) => {
    offset += bytes.length;
    if (!out.write(bytes)) await once(out, 'drain');
  };
  const central: Buffer[] = [];
  const entry = async (name: string, data: Buffer, deflate: boolean) => {
    const body = deflate ? deflateRawSync(data, { level: 1 }) : data;
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const method = deflate ? 8 : 0;
    const start = offset;
    await write(Buffer.concat([u32(0x04034b50), u16(20), u16(0x800), u16(method), u16(0), u16(0x21), u32(crc), u32(body.length), u32(data.length), u16(nameBytes.length), u16(0), nameBytes]));
    await write(body);
    central.push(Buffer.concat([
      u32(0x02014b50), u16(0x031e), u16(20), u16(0x800), u16(method), u16(0), u16(0x21), u32(crc), u32(body.length), u32(data.length),
      u16(nameBytes.length), u16(0), u16(0), u16(0), u16(0), u32(0o100644 << 16), u32(start), nameBytes,
    ]));
  };

  let deflated = 0;
  for (let i = 0; i < images; i++) {
    const deflate = i % 2 === 1;
    const budget = (targetBytes - offset) / (images - i);
    const height = Math.max(8, Math.ceil(budget / (deflate ? DEFLATED_RATIO : 1) / (WIDTH * 3 + 1)) + 8);
    await entry(noiseImageName(i), noisePng(WIDTH, height, i), deflate);
    await entry(noiseImageName(i).replace(/\.png$/, '.txt'), Buffer.from(`a photo of [trigger], shot ${i}, grainy film`), true);
    if (deflate) deflated++;
  }
  const directory = Buffer.concat(central);
  const directoryOffset = offset;
  await write(Buffer.concat([directory, u32(0x06054b50), u16(0), u16(0), u16(central.length), u16(central.length), u32(directory.length), u32(directoryOffset), u16(0)]));
  out.end();
  await once(out, 'close');
  return { size: offset, images, stored: images - deflated, deflated, width: WIDTH };
}

/** An RGB PNG of 7-bit noise over a colour of its own (so cards tell apart), its IDAT in zlib stored blocks. */
function noisePng(width: number, height: number, seed: number): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  randomFillSync(raw);
  const tint = [(seed * 67) % 128, (seed * 29 + 40) % 128, (seed * 103 + 90) % 128];
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    raw[row] = 0; // filter: none
    for (let x = 0; x < width * 3; x++) raw[row + 1 + x] = (raw[row + 1 + x]! & 0x7f) + tint[x % 3]!;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 0 })), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  return Buffer.concat([be32(data.length), body, be32(crc32(body))]);
}
