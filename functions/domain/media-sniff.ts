// Recognises a dataset file by its first bytes, never by its name, and reads image dimensions when the
// header shows them.
export type MediaFormat = 'jpg' | 'png' | 'webp' | 'mp4' | 'mov' | 'webm' | 'avi';

export interface Sniffed {
  format: MediaFormat;
  kind: 'image' | 'video';
  width?: number;
  height?: number;
}

const ascii = (b: Uint8Array, start: number, length: number) => String.fromCharCode(...b.subarray(start, start + length));
const u16be = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u32be = (b: Uint8Array, i: number) => (u16be(b, i) * 65536) + u16be(b, i + 2);
const u16le = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, i: number) => u16le(b, i) | ((b[i + 2] ?? 0) << 16);

/** ISO-BMFF brands of still images (HEIC, AVIF), which share MP4's container. */
const STILL_BRANDS = ['heic', 'heix', 'hevc', 'mif1', 'msf1', 'avif', 'avis'];

/** Names formats that are recognisable but not trainable (or archives), for a finding that says what the file is. */
export function sniffOther(head: Uint8Array): { label: string; archive: boolean } | null {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5 || head[2] === 7)) return { label: 'a zip archive', archive: true };
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b) return { label: 'a gzip archive', archive: true };
  if (head.length >= 6 && ascii(head, 0, 2) === '7z' && head[2] === 0xbc && head[3] === 0xaf) return { label: 'a 7-Zip archive', archive: true };
  if (head.length >= 4 && ascii(head, 0, 4) === 'Rar!') return { label: 'a RAR archive', archive: true };
  if (head.length >= 3 && ascii(head, 0, 3) === 'BZh') return { label: 'a bzip2 archive', archive: true };
  if (head.length >= 6 && head[0] === 0xfd && ascii(head, 1, 4) === '7zXZ') return { label: 'an xz archive', archive: true };
  if (head.length >= 262 && ascii(head, 257, 5) === 'ustar') return { label: 'a tar archive', archive: true };
  if (head.length >= 4 && ascii(head, 0, 4) === 'GIF8') return { label: 'a GIF image', archive: false };
  if (head.length >= 2 && ascii(head, 0, 2) === 'BM') return { label: 'a BMP image', archive: false };
  if (head.length >= 4 && (ascii(head, 0, 4) === 'II*\0' || ascii(head, 0, 4) === 'MM\0*')) return { label: 'a TIFF image', archive: false };
  if (head.length >= 12 && ascii(head, 4, 4) === 'ftyp' && STILL_BRANDS.includes(ascii(head, 8, 4))) return { label: 'a HEIC/AVIF image', archive: false };
  if (head.length >= 5 && ascii(head, 0, 5) === '%PDF-') return { label: 'a PDF document', archive: false };
  return null;
}

const PNG_COLOUR_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const PNG_END = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

/**
 * Whether a recognised image is whole and readable, judged from its header (`head`) and its last bytes
 * (`tail`), without decoding pixels: a PNG must have a sane IHDR and end with IEND, a JPEG must have a frame
 * header and end with EOI, a WebP's RIFF size must match the file.
 */
export function imageIntegrity(sniffed: Sniffed, head: Uint8Array, tail: Uint8Array, size: number): { code: 'IMAGE_TRUNCATED' | 'IMAGE_UNDECODABLE'; why: string } | null {
  if (sniffed.kind !== 'image') return null;
  if (sniffed.format === 'png') {
    if (head.length < 33 || ascii(head, 12, 4) !== 'IHDR') return { code: 'IMAGE_UNDECODABLE', why: 'its PNG header is missing' };
    const depth = head[24] ?? 0;
    const colour = head[25] ?? 0;
    if (!sniffed.width || !sniffed.height || !PNG_COLOUR_DEPTHS[colour]?.includes(depth)) return { code: 'IMAGE_UNDECODABLE', why: 'its PNG header is invalid' };
    const end = tail.subarray(tail.length - PNG_END.length);
    if (end.length < PNG_END.length || PNG_END.some((b, i) => end[i] !== b)) return { code: 'IMAGE_TRUNCATED', why: 'the PNG has no end marker' };
    return null;
  }
  if (sniffed.format === 'jpg') {
    if (!sniffed.width || !sniffed.height) return { code: 'IMAGE_UNDECODABLE', why: 'no JPEG frame header was found' };
    const last = tail.subarray(Math.max(0, tail.length - 64));
    for (let i = last.length - 2; i >= 0; i--) if (last[i] === 0xff && last[i + 1] === 0xd9) return null;
    return { code: 'IMAGE_TRUNCATED', why: 'the JPEG has no end marker' };
  }
  if (sniffed.format === 'webp') {
    const riff = head.length >= 8 ? (head[4]! | (head[5]! << 8) | (head[6]! << 16)) + head[7]! * 16777216 : 0;
    if (riff + 8 > size) return { code: 'IMAGE_TRUNCATED', why: `the WebP declares ${riff + 8} bytes but has ${size}` };
    if (!sniffed.width || !sniffed.height) return { code: 'IMAGE_UNDECODABLE', why: 'its WebP header is invalid' };
  }
  return null;
}

export function sniffMedia(head: Uint8Array): Sniffed | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { format: 'jpg', kind: 'image', ...jpegSize(head) };
  if (head.length >= 8 && u32be(head, 0) === 0x89504e47 && u32be(head, 4) === 0x0d0a1a0a) {
    return head.length >= 24 ? { format: 'png', kind: 'image', width: u32be(head, 16), height: u32be(head, 20) } : { format: 'png', kind: 'image' };
  }
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return { format: 'webp', kind: 'image', ...webpSize(head) };
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'AVI ') return { format: 'avi', kind: 'video' };
  if (head.length >= 12 && ascii(head, 4, 4) === 'ftyp' && !STILL_BRANDS.includes(ascii(head, 8, 4))) return { format: ascii(head, 8, 2) === 'qt' ? 'mov' : 'mp4', kind: 'video' };
  if (head.length >= 4 && u32be(head, 0) === 0x1a45dfa3) return { format: 'webm', kind: 'video' };
  return null;
}

function jpegSize(b: Uint8Array): { width?: number; height?: number } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return {};
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) { i += 1; continue; }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) return {};
    i += 2 + u16be(b, i + 2);
  }
  return {};
}

function webpSize(b: Uint8Array): { width?: number; height?: number } {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ' && b.length >= 30) return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = u16le(b, 21) | (u16le(b, 23) << 16);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && b.length >= 30) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return {};
}
