// The manifest the validator writes in its one pass: every entry read whole, with where its bytes sit, so a reader
// can slice one file out of the zip by a byte range (stored or deflated) and check it against its CRC and hash.
import { createHash } from 'node:crypto';
import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inspectArchive, type ArchiveSource } from '#domain/archive-inspection';
import { fallbackTrainers } from '#domain/trainer-catalog';
import { makeJpeg } from '#support/dataset-corpus';
import { makePng } from '#support/png';
import { buildZip } from '#support/zip-writer';

function source(zip: Buffer): ArchiveSource & { streams: number } {
  const src = {
    size: zip.length,
    streams: 0,
    readRange: async (start: number, end: number) => zip.subarray(start, end),
    stream: async function* () {
      src.streams += 1;
      for (let i = 0; i < zip.length; i += 65_536) yield zip.subarray(i, i + 65_536);
    },
  };
  return src;
}

const png = makePng(320, 288, 3);
const jpeg = makeJpeg(300, 400, 5);
// Enough padding that the archive is more than its 64 KiB tail, so the pass is a real stream.
const big = makePng(512, 512, 9);
const entries = [
  { name: 'set/a.png', data: png, method: 0 },
  { name: 'set/a.txt', data: 'a photo of [trigger] on a bench' },
  { name: 'set/b.jpg', data: jpeg, method: 8 },
  { name: 'set/b.txt', data: 'ohwx, smiling\nsecond line', method: 0 },
  { name: 'set/c.png', data: big, method: 0 },
  { name: 'set/c_mask.png', data: makePng(512, 512, 1), method: 8 },
  { name: 'set/lonely.txt', data: 'no image for me' },
  { name: 'notes.md', data: '# notes' },
  { name: '__MACOSX/._a.png', data: 'resource fork' },
];
const zip = buildZip(entries);

describe('the manifest of a version', () => {
  it('lists every entry read, with kind, size, dimensions, hash, caption and findings, from the one pass', async () => {
    const src = source(zip);
    const { files, report } = await inspectArchive(src, fallbackTrainers);
    expect(src.streams).toBeLessThanOrEqual(1);
    expect(report.errors).toEqual([]);
    const byName = Object.fromEntries(files.map((f) => [f.name, f]));
    expect(files.map((f) => f.name).sort()).toEqual(entries.map((e) => e.name).sort());
    expect(byName['set/a.png']).toMatchObject({ kind: 'image', width: 320, height: 288, sizeBytes: png.length, caption: 'a photo of [trigger] on a bench', captionFile: 'set/a.txt', findings: [] });
    expect(byName['set/b.jpg']).toMatchObject({ kind: 'image', width: 300, height: 400, caption: 'ohwx, smiling\nsecond line', captionFile: 'set/b.txt' });
    expect(byName['set/b.txt']).toMatchObject({ kind: 'caption', caption: 'ohwx, smiling\nsecond line' });
    expect(byName['set/c.png']).toMatchObject({ kind: 'image', width: 512, height: 512 });
    expect(byName['set/c.png']!.caption).toBeUndefined();
    expect(byName['set/c_mask.png']).toMatchObject({ kind: 'mask' });
    expect(byName['notes.md']).toMatchObject({ kind: 'other' });
    expect(byName['__MACOSX/._a.png']).toMatchObject({ kind: 'other' });
    // The report's findings that name a file travel with it.
    expect(byName['set/c.png']!.findings.map((f) => f.code)).toEqual(['MISSING_CAPTION']);
    expect(byName['set/lonely.txt']!.findings.map((f) => f.code)).toEqual(['ORPHAN_CAPTION']);
    expect(byName['notes.md']!.findings.map((f) => f.code)).toEqual(['UNSUPPORTED_FILE']);
  });

  it('says where each entry’s bytes are: a byte range of the zip inflates (or is) the file, CRC and sha256 matching', async () => {
    const { files } = await inspectArchive(source(zip), fallbackTrainers);
    for (const entry of entries) {
      const file = files.find((f) => f.name === entry.name)!;
      const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data);
      expect(file.zip.method).toBe(entry.method === 0 ? 'stored' : 'deflated');
      // What a browser asks for: Range bytes=dataOffset-(dataOffset+compressedSize-1).
      const slice = zip.subarray(file.zip.dataOffset, file.zip.dataOffset + file.zip.compressedSize);
      const bytes = file.zip.method === 'stored' ? slice : inflateRawSync(slice);
      expect(crc32(bytes) >>> 0).toBe(file.zip.crc32);
      expect(bytes.equals(data)).toBe(true);
      expect(file.contentHash).toBe(createHash('sha256').update(data).digest('hex'));
      expect(zip.readUInt32LE(file.zip.headerOffset)).toBe(0x04034b50);
    }
  });

  it('lists no file the validator could not read whole, and none for an archive it could not open', async () => {
    const broken = buildZip([{ name: 'ok.png', data: png, method: 0 }, { name: 'bad.png', data: png, method: 0, crc: 1234 }]);
    const { files, report } = await inspectArchive(source(broken), fallbackTrainers);
    expect(report.errors.map((e) => e.code)).toContain('CRC_MISMATCH');
    expect(files.map((f) => f.name)).toEqual(['ok.png']);
    const notZip = await inspectArchive(source(Buffer.from('not a zip at all')), fallbackTrainers);
    expect(notZip.files).toEqual([]);
  });
});
