// The dataset corpus: good, tricky, damaged and hostile archives, all generated in code (nothing binary is
// committed). Each case says how it must end (READY or INVALID) and the finding that must say why.
import { deflateRawSync } from 'node:zlib';
import { makePng } from './png';
import { buildZip, type EntrySpec } from './zip-writer';

export interface CorpusCase {
  name: string;
  zip: Buffer;
  status: 'READY' | 'INVALID';
  /** A finding code the report must hold (in errors for INVALID, in warnings for READY), and the file it names. */
  finding?: { code: string; file?: string };
  /** How the case enters: the browser's presigned POST (default) or a direct S3 put under incoming/. */
  via?: 'post' | 'direct';
}

/** A structurally valid baseline JPEG container (SOI, JFIF, DQT, SOF0, DHT, SOS, scan bytes, EOI). */
export function makeJpeg(width: number, height: number, seed = 0, { eoi = true, sof = true } = {}): Buffer {
  const seg = (marker: number, body: Buffer) => Buffer.concat([Buffer.from([0xff, marker]), u16be(body.length + 2), body]);
  const scan = Buffer.alloc(2048);
  for (let i = 0; i < scan.length; i++) scan[i] = (i * 31 + seed * 17) & 0x7f; // no 0xFF inside the scan
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    seg(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)])),
    sof ? seg(0xc0, Buffer.concat([Buffer.from([8]), u16be(height), u16be(width), Buffer.from([3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0])])) : Buffer.alloc(0),
    seg(0xc4, Buffer.concat([Buffer.from([0]), Buffer.alloc(16, 0), Buffer.alloc(0)])),
    seg(0xda, Buffer.from([3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0])),
    scan,
    eoi ? Buffer.from([0xff, 0xd9]) : Buffer.alloc(0),
  ]);
}

/** A WebP container with a VP8X header of the given canvas (and a declared RIFF size, to make it lie). */
export function makeWebp(width: number, height: number, declaredExtra = 0): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x.writeUIntLE(width - 1, 4, 3);
  vp8x.writeUIntLE(height - 1, 7, 3);
  const payload = Buffer.alloc(1024, 7);
  const body = Buffer.concat([Buffer.from('WEBP'), Buffer.from('VP8X'), u32le(10), vp8x, Buffer.from('VP8L'), u32le(payload.length), payload]);
  return Buffer.concat([Buffer.from('RIFF'), u32le(body.length + declaredExtra), body]);
}

export function makeMp4(seed = 0): Buffer {
  const ftyp = Buffer.concat([u32be(24), Buffer.from('ftypisom'), u32be(0x200), Buffer.from('isomiso2')]);
  const data = Buffer.alloc(4096, seed);
  return Buffer.concat([ftyp, u32be(data.length + 8), Buffer.from('mdat'), data]);
}

const u16be = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32be = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u32le = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };

/** `n` captioned PNGs (stored, as zip tools store already-compressed images), plus `more` entries. */
function images(n: number, { size = 320, captions = true, prefix = 'img' } = {}): EntrySpec[] {
  const out: EntrySpec[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ name: `${prefix}${i}.png`, data: makePng(size, size, i + 1), method: 0 });
    if (captions) out.push({ name: `${prefix}${i}.txt`, data: `a photo of [trigger], pose ${i}` });
  }
  return out;
}
const set = (extra: EntrySpec[], n = 4) => buildZip([...images(n), ...extra]);
const bad = (name: string, zip: Buffer, code: string, file?: string, via?: CorpusCase['via']): CorpusCase => ({ name, zip, status: 'INVALID', finding: { code, ...(file ? { file } : {}) }, ...(via ? { via } : {}) });
const warns = (name: string, zip: Buffer, code: string, file?: string): CorpusCase => ({ name, zip, status: 'READY', finding: { code, ...(file ? { file } : {}) } });

export function datasetCorpus(): CorpusCase[] {
  const good = set([]);
  const png = makePng(320, 320, 99);
  const zeros = Buffer.alloc(8 * 1024 * 1024);
  const manyEntries: EntrySpec[] = Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}.txt`, data: '', method: 0 }));
  const truncatedPng = png.subarray(0, png.length - 40);
  const zeroWidth = Buffer.from(png);
  zeroWidth.writeUInt32BE(0, 16);
  const cp437Name = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x70, 0x6e, 0x67]); // "café.png" in Latin-1: not UTF-8
  const nonUtf8Caption = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe]);
  const corruptDeflate = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02]);
  const ratioBomb = deflateRawSync(zeros);

  return [
    // ---------- good ----------
    { name: 'good: captioned PNGs', zip: good, status: 'READY' },
    { name: 'good: deflated everything', zip: buildZip(images(4).map((e) => ({ ...e, method: 8 }))), status: 'READY' },
    { name: 'good: JPEG, WebP and PNG mixed, in folders', status: 'READY', zip: buildZip([
      { name: 'set/a.jpg', data: makeJpeg(640, 480, 1), method: 0 }, { name: 'set/a.txt', data: 'tok on a beach' },
      { name: 'set/b.webp', data: makeWebp(512, 512), method: 0 }, { name: 'set/b.txt', data: 'tok in a park' },
      { name: 'set/deeper/c.png', data: png, method: 0 }, { name: 'set/deeper/c.txt', data: 'tok at home' },
      { name: 'set/d.jpeg', data: makeJpeg(800, 600, 4), method: 0 },
    ]) },
    { name: 'good: zip64 records', zip: buildZip(images(4), { zip64: true }), status: 'READY' },
    { name: 'good: data descriptors (streamed zip)', zip: buildZip(images(4).map((e) => ({ ...e, dataDescriptor: true }))), status: 'READY' },
    { name: 'good: UTF-8 names', zip: buildZip([...images(3), { name: 'ünïcødé 写真.png', data: makePng(300, 300, 7), method: 0 }, { name: 'ünïcødé 写真.txt', data: 'tök' }]), status: 'READY' },
    { name: 'good: start/end pairs for an edit trainer', status: 'READY', zip: buildZip([0, 1, 2].flatMap((i) => [
      { name: `p${i}_start.png`, data: makePng(300, 300, i), method: 0 }, { name: `p${i}_end.png`, data: makePng(300, 300, i + 10), method: 0 }, { name: `p${i}.txt`, data: 'make it night' },
    ])) },
    { name: 'good: images with masks', zip: set([{ name: 'img0_mask.png', data: makePng(320, 320, 50), method: 0 }]), status: 'READY' },
    { name: 'good: videos for video trainers', status: 'READY', zip: buildZip(Array.from({ length: 4 }, (_, i) => ({ name: `clip${i}.mp4`, data: makeMp4(i), method: 0 }))) },
    { name: 'good: a fake end record inside the comment', zip: buildZip(images(4), { comment: Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(30)]) }), status: 'READY' },

    // ---------- tricky: READY with a warning ----------
    warns('junk: __MACOSX, .DS_Store, Thumbs.db, dot-files', set([{ name: '__MACOSX/._img0.png', data: 'x' }, { name: '.DS_Store', data: 'x' }, { name: 'Thumbs.db', data: 'x' }, { name: '.hidden/a.png', data: png }]), 'JUNK_IGNORED'),
    warns('extension lies: a JPEG named .png', set([{ name: 'liar.png', data: makeJpeg(640, 640, 3), method: 0 }]), 'EXTENSION_MISMATCH', 'liar.png'),
    warns('orphan caption', set([{ name: 'ghost.txt', data: 'no image' }]), 'ORPHAN_CAPTION', 'ghost.txt'),
    warns('missing caption', set([{ name: 'uncaptioned.png', data: makePng(300, 300, 77), method: 0 }]), 'MISSING_CAPTION', 'uncaptioned.png'),
    warns('empty caption', buildZip([...images(4).filter((e) => e.name !== 'img0.txt'), { name: 'img0.txt', data: '  \n' }]), 'EMPTY_CAPTION', 'img0.txt'),
    warns('caption too long', buildZip([...images(4).filter((e) => e.name !== 'img0.txt'), { name: 'img0.txt', data: 'tok '.repeat(700) }]), 'CAPTION_TOO_LONG', 'img0.txt'),
    warns('duplicate images', set([{ name: 'copy.png', data: makePng(320, 320, 1), method: 0 }]), 'DUPLICATE_IMAGE', 'copy.png'),
    warns('small images', set([{ name: 'small.png', data: makePng(128, 128, 5), method: 0 }]), 'IMAGE_SMALL', 'small.png'),
    warns('unpaired start image', set([{ name: 'lonely_start.png', data: makePng(300, 300, 31), method: 0 }]), 'UNPAIRED_EDIT_IMAGE', 'lonely_start.png'),
    warns('mask without image', set([{ name: 'nobody_mask.png', data: makePng(300, 300, 32), method: 0 }]), 'MASK_WITHOUT_IMAGE', 'nobody_mask.png'),
    warns('a GIF among the images', set([{ name: 'anim.gif', data: Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1') }]), 'UNSUPPORTED_FILE', 'anim.gif'),

    // ---------- not a zip, damaged ----------
    bad('not a zip: text renamed', Buffer.from('this is a text file renamed to zip, not an archive at all'), 'ZIP_UNREADABLE'),
    bad('empty file', Buffer.alloc(0), 'ZIP_UNREADABLE', undefined, 'direct'),
    bad('truncated upload: second half missing', good.subarray(0, Math.floor(good.length / 2)), 'ZIP_UNREADABLE'),
    bad('truncated data under an intact directory', Buffer.concat([good.subarray(0, 200), good.subarray(good.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])))]), 'ZIP_CD_CORRUPT'),
    bad('corrupt central directory signature', buildZip(images(4), { corruptDirectory: true }), 'ZIP_CD_CORRUPT'),
    bad('end record claims more files than listed', buildZip(images(4), { eocd: { entries: 12 } }), 'ZIP_CD_CORRUPT'),
    bad('directory offset past the end', buildZip(images(4), { eocd: { dirOffset: 50_000_000 } }), 'ZIP_CD_CORRUPT'),
    bad('zip64 locator pointing nowhere', buildZip(images(4), { brokenZip64: true }), 'ZIP_CD_CORRUPT'),
    bad('spanned archive', buildZip(images(4), { eocd: { disk: 1 } }), 'ZIP_SPANNED'),
    bad('CRC mismatch', set([{ name: 'flipped.png', data: png, method: 0, crc: 0xdeadbeef }]), 'CRC_MISMATCH', 'flipped.png'),
    bad('corrupt deflate data', set([{ name: 'broken.png', data: png, raw: corruptDeflate }]), 'ENTRY_CORRUPT', 'broken.png'),
    bad('local header name differs from directory', set([{ name: 'honest.png', data: png, method: 0, localName: 'sneaky.png' }]), 'ZIP_CD_CORRUPT', 'honest.png'),
    bad('unsupported compression (bzip2)', set([{ name: 'bz.png', data: png, method: 12, raw: png }]), 'UNSUPPORTED_COMPRESSION', 'bz.png'),
    bad('stored entry with two sizes', set([{ name: 'two.png', data: png, method: 0, uncompressedSize: png.length + 10 }]), 'ENTRY_SIZE_MISMATCH', 'two.png'),
    bad('declares more bytes than it holds', set([{ name: 'short.txt', data: 'hello', uncompressedSize: 50 }]), 'ENTRY_SIZE_MISMATCH', 'short.txt'),

    // ---------- hostile ----------
    bad('path traversal', set([{ name: '../../etc/evil.png', data: png, method: 0 }]), 'UNSAFE_PATH', '../../etc/evil.png'),
    bad('absolute path', set([{ name: '/etc/passwd.png', data: png, method: 0 }]), 'UNSAFE_PATH', '/etc/passwd.png'),
    bad('backslash path', set([{ name: '..\\..\\evil.png', data: png, method: 0 }]), 'UNSAFE_PATH', '..\\..\\evil.png'),
    bad('drive-letter path', set([{ name: 'C:/Windows/evil.png', data: png, method: 0 }]), 'UNSAFE_PATH', 'C:/Windows/evil.png'),
    bad('symlink entry', set([{ name: 'link.png', data: '/etc/passwd', method: 0, madeBy: 0x0314, externalAttributes: (0o120777 << 16) >>> 0 }]), 'SYMLINK_ENTRY', 'link.png'),
    bad('encrypted entry', set([{ name: 'secret.png', data: png, method: 0, flags: 1 }]), 'ENCRYPTED_ENTRY', 'secret.png'),
    bad('zip bomb: compression ratio', set([{ name: 'zeros.png', data: zeros, raw: ratioBomb }]), 'ZIP_BOMB', 'zeros.png'),
    bad('zip bomb: declared size lies', set([{ name: 'liar.txt', data: zeros.subarray(0, 600_000), uncompressedSize: 1000 }]), 'ZIP_BOMB', 'liar.txt'),
    bad('zip bomb: total past the bound', set([0, 1, 2, 3, 4].map((i) => ({ name: `huge${i}.png`, data: 'x', raw: deflateRawSync(Buffer.alloc(16)), uncompressedSize: 1_900_000_000, compressedSize: 1_000_000_000 }))), 'ZIP_BOMB'),
    bad('zip bomb: overlapping entries', buildZip([...images(4), { name: 'o1.png', data: png, method: 0 }, { name: 'o2.png', data: png, method: 0, pointAt: 8 }]), 'ZIP_OVERLAPPING_ENTRIES'),
    bad('too many entries', buildZip(manyEntries), 'ZIP_TOO_MANY_ENTRIES'),
    bad('nested archive by name', set([{ name: 'more.zip', data: good, method: 0 }]), 'NESTED_ARCHIVE', 'more.zip'),
    bad('nested archive disguised as an image', set([{ name: 'photo.png', data: good, method: 0 }]), 'NESTED_ARCHIVE', 'photo.png'),
    bad('name that is not UTF-8', set([{ name: cp437Name, data: png, method: 0 }]), 'NAME_NOT_UTF8'),
    bad('duplicate entry names', set([{ name: 'img0.png', data: makePng(300, 300, 42), method: 0 }]), 'DUPLICATE_ENTRY', 'img0.png'),

    // ---------- content ----------
    bad('no images at all', buildZip([{ name: 'readme.txt', data: 'hello' }]), 'NO_IMAGES'),
    bad('text named .png', set([{ name: 'fake.png', data: 'not an image at all' }]), 'NOT_AN_IMAGE', 'fake.png'),
    bad('truncated PNG', set([{ name: 'cut.png', data: truncatedPng, method: 0 }]), 'IMAGE_TRUNCATED', 'cut.png'),
    bad('PNG with a zero width', set([{ name: 'zero.png', data: zeroWidth, method: 0 }]), 'IMAGE_UNDECODABLE', 'zero.png'),
    bad('JPEG without its end', set([{ name: 'cut.jpg', data: makeJpeg(640, 480, 2, { eoi: false }), method: 0 }]), 'IMAGE_TRUNCATED', 'cut.jpg'),
    bad('JPEG without a frame header', set([{ name: 'nosof.jpg', data: makeJpeg(640, 480, 2, { sof: false }), method: 0 }]), 'IMAGE_UNDECODABLE', 'nosof.jpg'),
    bad('WebP shorter than it declares', set([{ name: 'cut.webp', data: makeWebp(512, 512, 5000), method: 0 }]), 'IMAGE_TRUNCATED', 'cut.webp'),
    bad('image too small', set([{ name: 'tiny.png', data: makePng(32, 32, 3), method: 0 }]), 'IMAGE_TOO_SMALL', 'tiny.png'),
    bad('zero-byte image', set([{ name: 'nothing.jpg', data: '', method: 0 }]), 'EMPTY_FILE', 'nothing.jpg'),
    bad('caption that is not UTF-8', buildZip([...images(4).filter((e) => e.name !== 'img1.txt'), { name: 'img1.txt', data: nonUtf8Caption }]), 'CAPTION_NOT_UTF8', 'img1.txt'),
  ];
}
