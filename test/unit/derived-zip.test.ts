// The zip a version made from an edit is built into (domain/derived-zip.ts, domain/zip-writer.ts), read back by
// jszip and by the repo's own reader (zip-directory.ts + zip-stream.ts, what the validator runs): kept entries
// are the source's raw bytes, unchanged; edited captions are new; removed images leave with their caption and
// mask; added files are present (an added name replaces the source's); every CRC and size checks; zip64 when
// the count, a size or an offset needs it.
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { makePng } from '#support/png';
import { buildZip } from '#support/zip-writer';
import { derivedZip, type DeriveStats, type RangeSource } from '#domain/derived-zip';
import { DEFAULT_LIMITS, readDirectory, TAIL_BYTES, type Directory } from '#domain/zip-directory';
import { SequentialReader, walkEntries } from '#domain/zip-stream';
import { ZipWriter } from '#domain/zip-writer';

function bufferSource(bytes: Buffer): RangeSource {
  return {
    size: bytes.length,
    readRange: async (start, end) => bytes.subarray(start, end),
    streamRange: async function* (start, end) {
      for (let at = start; at < end; at += 1000) yield bytes.subarray(at, Math.min(end, at + 1000));
    },
  };
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

async function directoryOf(zip: Buffer, limits = DEFAULT_LIMITS): Promise<Directory> {
  const tail = zip.subarray(Math.max(0, zip.length - TAIL_BYTES));
  return readDirectory(zip.length, tail, async (start, end) => zip.subarray(start, end), limits);
}

/** Every entry's raw bytes (local header through data descriptor), by name. */
async function rawEntries(zip: Buffer): Promise<Map<string, Buffer>> {
  const { entries, dataEnd } = await directoryOf(zip);
  const ordered = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  return new Map(ordered.map((e, i) => [e.name, zip.subarray(e.localHeaderOffset, ordered[i + 1]?.localHeaderOffset ?? dataEnd)]));
}

/** What the validator's pass reads: each entry's content, and any finding (bad CRC, size, header). */
async function readBack(zip: Buffer): Promise<{ contents: Map<string, Buffer>; findings: unknown[] }> {
  const directory = await directoryOf(zip);
  const contents = new Map<string, Buffer>();
  const findings = await walkEntries(new SequentialReader(bufferSource(zip).streamRange(0, zip.length)), directory.entries, (entry) => {
    const parts: Buffer[] = [];
    return { update: (chunk) => parts.push(Buffer.from(chunk)), finish: () => contents.set(entry.name, Buffer.concat(parts)) };
  });
  return { contents, findings: [...findings, ...directory.entries.filter((e) => e.refused).map((e) => e.refused)] };
}

const png = (seed: number) => makePng(48, 48, seed);
const source = buildZip([
  { name: 'img0.png', data: png(0), method: 0 },
  { name: 'img0.txt', data: 'caption zero' },
  { name: 'img1.png', data: png(1), method: 0, dataDescriptor: true },
  { name: 'img1.txt', data: 'caption one', dataDescriptor: true },
  { name: 'img2.jpg', data: png(2) },
  { name: 'img2.caption', data: 'caption two', method: 0 },
  { name: 'img3.png', data: png(3), method: 0 },
  { name: 'img3.txt', data: 'caption three' },
  { name: 'img3_mask.png', data: png(33), method: 0 },
  { name: 'sub/img4.png', data: png(4), method: 0 },
  { name: 'sub/img4.txt', data: 'caption four' },
  { name: 'img5.png', data: png(5), method: 0 },
  { name: 'café.png', data: png(6), method: 0 },
  { name: 'café.txt', data: 'caption six' },
]);
const additions = buildZip([
  { name: 'img9.png', data: png(9), method: 0 },
  { name: 'img9.txt', data: 'an added caption', dataDescriptor: true },
  { name: 'sub/img4.txt', data: 'a replaced caption' },
]);
const AT = new Date('2026-12-02T12:34:56Z');
const edit = {
  captions: { 'img1.png': 'caption one, edited', 'img2.jpg': '', 'img5.png': 'a first caption for five', 'café.png': 'légende éditée' },
  remove: ['img3.png'],
};

describe('derivedZip', () => {
  it('copies kept entries byte for byte, writes the edited captions, drops the removed, merges the additions', async () => {
    const stats: DeriveStats = { copiedEntries: 0, writtenCaptions: 0, droppedEntries: 0, runs: 0 };
    const out = await collect(derivedZip(bufferSource(source), bufferSource(additions), edit, AT, stats));

    const jszip = await JSZip.loadAsync(out, { checkCRC32: true });
    const names = Object.keys(jszip.files).sort();
    expect(names).toEqual(['café.png', 'café.txt', 'img0.png', 'img0.txt', 'img1.png', 'img1.txt', 'img2.jpg', 'img5.png', 'img5.txt', 'img9.png', 'img9.txt', 'sub/img4.png', 'sub/img4.txt']);
    expect(await jszip.file('img1.txt')!.async('string')).toBe('caption one, edited');
    expect(await jszip.file('img5.txt')!.async('string')).toBe('a first caption for five');
    expect(await jszip.file('café.txt')!.async('string')).toBe('légende éditée');
    expect(await jszip.file('sub/img4.txt')!.async('string')).toBe('a replaced caption');
    expect(await jszip.file('img9.txt')!.async('string')).toBe('an added caption');
    expect(Buffer.from(await jszip.file('img9.png')!.async('uint8array'))).toEqual(png(9));
    expect(jszip.file('img1.txt')!.date.toISOString()).toBe('2026-12-02T12:34:56.000Z');

    const { contents, findings } = await readBack(out);
    expect(findings).toEqual([]);
    expect([...contents.keys()].sort()).toEqual(names);
    expect(contents.get('img1.png')).toEqual(png(1));
    expect(contents.get('img0.txt')!.toString()).toBe('caption zero');
    expect(contents.get('café.txt')!.toString()).toBe('légende éditée');

    const [before, after, added] = await Promise.all([rawEntries(source), rawEntries(out), rawEntries(additions)]);
    for (const name of ['img0.png', 'img0.txt', 'img1.png', 'img2.jpg', 'sub/img4.png', 'img5.png', 'café.png']) {
      expect(after.get(name)!.equals(before.get(name)!), `${name} is the source's raw bytes`).toBe(true);
    }
    for (const name of ['img9.png', 'img9.txt', 'sub/img4.txt']) expect(after.get(name)!.equals(added.get(name)!), `${name} is the additions' raw bytes`).toBe(true);
    for (const name of ['img1.txt', 'café.txt']) expect(after.get(name)!.equals(before.get(name)!)).toBe(false);
    // Neighbouring kept entries are one read: img0.png–img1.png, img2.jpg, sub/img4.png, img5.png–café.png, the additions.
    expect(stats).toEqual({ copiedEntries: 10, writtenCaptions: 3, droppedEntries: 7, runs: 5 });
  });

  it('an edit with nothing but additions keeps every source entry as it was', async () => {
    const out = await collect(derivedZip(bufferSource(source), bufferSource(additions), { captions: {}, remove: [], addUpload: true }, AT));
    const [before, after] = await Promise.all([rawEntries(source), rawEntries(out)]);
    for (const [name, raw] of before) if (name !== 'sub/img4.txt') expect(after.get(name)!.equals(raw), name).toBe(true);
    expect((await readBack(out)).findings).toEqual([]);
  });

  it('refuses additions that are not a zip, saying so', async () => {
    const run = collect(derivedZip(bufferSource(source), bufferSource(Buffer.from('not a zip at all')), edit, AT));
    await expect(run).rejects.toMatchObject({ name: 'ArchiveRejected', code: 'ADDITIONS_ZIP_UNREADABLE', message: expect.stringContaining('not a zip archive') });
  });
});

describe('ZipWriter', () => {
  it('writes a zip64 directory when the entries are more than the 16-bit count holds', async () => {
    const writer = new ZipWriter();
    const parts: Buffer[] = [];
    for (let i = 0; i < 65_536; i++) parts.push(writer.added(`c/${i}.txt`, Buffer.from(`caption ${i}`), AT));
    parts.push(writer.finish());
    const zip = Buffer.concat(parts);
    expect(zip.readUInt16LE(zip.length - 12)).toBe(0xffff); // the end record's count: see the zip64 record

    const directory = await directoryOf(zip, { ...DEFAULT_LIMITS, maxEntries: 70_000 });
    expect(directory.zip64).toBe(true);
    expect(directory.entries).toHaveLength(65_536);
    expect(directory.entries[65_535]).toMatchObject({ name: 'c/65535.txt', uncompressedSize: 'caption 65535'.length });
    const jszip = await JSZip.loadAsync(zip);
    expect(Object.keys(jszip.files)).toHaveLength(65_536);
    expect(await jszip.file('c/65535.txt')!.async('string')).toBe('caption 65535');
  });

  it('gives sizes and offsets past 4 GiB their zip64 fields', async () => {
    const writer = new ZipWriter();
    const huge = 5 * 1024 ** 3;
    const nameBytes = Buffer.from('huge.mp4');
    // A stored 5 GiB entry copied from a source (its bytes are the caller's to emit; only the directory is read here).
    writer.copied({ nameBytes, flags: 0, method: 0, crc32: 0x1234abcd, compressedSize: huge, uncompressedSize: huge }, 30 + nameBytes.length + huge);
    const caption = writer.added('huge.txt', Buffer.from('a five gigabyte video'), AT);
    const tail = Buffer.concat([caption, writer.finish()]);
    const size = writer.position;

    const directory = await readDirectory(size, tail, async () => { throw new Error('everything is in the tail'); }, { ...DEFAULT_LIMITS, maxEntryBytes: 8 * 1024 ** 3 });
    expect(directory.zip64).toBe(true);
    expect(directory.dataEnd).toBe(30 + nameBytes.length + huge + caption.length);
    expect(directory.entries).toEqual([
      expect.objectContaining({ name: 'huge.mp4', compressedSize: huge, uncompressedSize: huge, localHeaderOffset: 0, crc32: 0x1234abcd }),
      expect.objectContaining({ name: 'huge.txt', uncompressedSize: 21, localHeaderOffset: 30 + nameBytes.length + huge }),
    ]);
    expect(directory.entries.every((e) => !e.refused)).toBe(true);
  });

  it('writes a plain directory (no zip64 record) for an ordinary dataset', async () => {
    const out = await collect(derivedZip(bufferSource(source), null, edit, AT));
    expect((await directoryOf(out)).zip64).toBe(false);
  });
});
