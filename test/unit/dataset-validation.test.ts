import JSZip from 'jszip';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { headBytesFor, validateEntries } from '../../functions/domain/dataset-validation';
import { ensureTrainable, parseDatasetObjectKey, datasetObjectKey } from '../../functions/domain/datasets';
import type { Trainer } from '../../functions/domain/schemas';
import { listArchive, UnreadableArchive } from '../../functions/domain/zip-archive';

/** A PNG header of the given size (enough for the validator, which reads only the first bytes). */
function png(width: number, height: number): Buffer {
  const b = Buffer.alloc(64);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'ascii');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}
const jpeg = () => Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x02, 0x00, 0x03, 0x00, 0x03, 0, 0, 0, 0]);

const trainer = (id: string, minImages: number, captions: 'optional' | 'required' = 'optional'): Trainer => ({
  id, provider: 'fal', name: id, kind: 'image', description: '', params: [],
  dataset: { minImages, formats: ['jpg', 'png', 'webp'], captions },
});
const trainers = [trainer('few', 2), trainer('many', 10), trainer('captioned', 1, 'required')];

async function zip(files: Record<string, Buffer | string>, compression: 'STORE' | 'DEFLATE' = 'DEFLATE'): Promise<Buffer> {
  const z = new JSZip();
  for (const [name, content] of Object.entries(files)) z.file(name, content);
  return z.generateAsync({ type: 'nodebuffer', compression });
}

const validate = async (buffer: Buffer) => validateEntries(await listArchive(buffer, headBytesFor), trainers);

describe('validating a dataset zip', () => {
  it('counts images, pairs captions by name and reads sizes', async () => {
    const report = await validate(await zip({
      'a.png': png(1024, 768), 'a.txt': 'a photo of tok', 'sub/b.jpg': jpeg(), 'sub/b.txt': 'tok smiling', '__MACOSX/._a.png': 'junk',
    }));
    expect(report).toMatchObject({ images: 2, videos: 0, captions: 2, pairs: 2, errors: [], minWidth: 768, maxWidth: 1024 });
    expect(report.fitsTrainers).toEqual(['few', 'captioned']);
  });

  it('works on stored (uncompressed) archives too', async () => {
    const report = await validate(await zip({ 'a.png': png(512, 512), 'b.png': png(512, 512) }, 'STORE'));
    expect(report.images).toBe(2);
    expect(report.fitsTrainers).toEqual(['few']);
  });

  it('rejects a zip without images', async () => {
    const report = await validate(await zip({ 'readme.txt': 'hello' }));
    expect(report.errors.map((e) => e.code)).toEqual(['NO_IMAGES']);
    expect(report.warnings.map((w) => w.code)).toContain('ORPHAN_CAPTION');
    expect(report.fitsTrainers).toEqual([]);
  });

  it('recognises images by their bytes, not their names', async () => {
    const report = await validate(await zip({ 'fake.png': 'not an image at all', 'real.jpg': jpeg() }));
    expect(report.images).toBe(1);
    expect(report.warnings).toContainEqual(expect.objectContaining({ code: 'UNSUPPORTED_FILE', file: 'fake.png' }));
  });

  it('warns about tiny images', async () => {
    const report = await validate(await zip({ 'a.png': png(64, 64) }));
    expect(report.warnings).toContainEqual(expect.objectContaining({ code: 'IMAGE_TOO_SMALL', file: 'a.png' }));
  });

  it('reads a large archive by ranges instead of whole', async () => {
    const buffer = await zip({ 'a.png': png(800, 600), 'a.txt': 'tok', 'b.png': png(900, 700) });
    const ranges: [number, number][] = [];
    const source = { size: buffer.length, readRange: (start: number, end: number) => { ranges.push([start, end]); return Readable.from(buffer.subarray(start, end)); } };
    const report = validateEntries(await listArchive(source, headBytesFor), trainers);
    expect(report).toMatchObject({ images: 2, pairs: 1, minWidth: 800, maxWidth: 900 });
    expect(ranges.length).toBeGreaterThan(1);
  });

  it('says when the file is not a zip', async () => {
    await expect(listArchive(Buffer.from('definitely not a zip file, just text'), headBytesFor)).rejects.toBeInstanceOf(UnreadableArchive);
  });

  it('refuses a job on a version that does not fit the trainer', () => {
    const report = { images: 3, videos: 0, captions: 0, pairs: 0, errors: [], warnings: [] };
    const version = { version: 1, status: 'READY' as const, sizeBytes: 1, source: 'web' as const, createdAt: '2025-01-01T00:00:00Z', report };
    const dataset = { id: 'd', name: 'Faces', createdAt: '2025-01-01T00:00:00Z' };
    expect(() => ensureTrainable(dataset, version, trainers[1]!)).toThrowError(/needs at least 10 images, the dataset has 3/);
    expect(() => ensureTrainable(dataset, version, trainers[0]!)).not.toThrow();
  });
});

describe('dataset object keys', () => {
  it('round-trips through the form encoding of S3 events', () => {
    const key = datasetObjectKey('user|42', 'ds1', 3, 'my set.zip');
    const eventKey = encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
    expect(parseDatasetObjectKey(eventKey)).toEqual({ owner: 'user|42', datasetId: 'ds1', version: 3, fileName: 'my set.zip' });
  });

  it('ignores keys outside the convention', () => {
    expect(parseDatasetObjectKey('datasets/alice/ds1/latest/set.zip')).toBeNull();
  });
});
