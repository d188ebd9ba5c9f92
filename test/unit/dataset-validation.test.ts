import { describe, expect, it } from 'vitest';
import { inspectArchive, type ArchiveSource } from '#domain/archive-inspection';
import { ensureTrainable, parseDatasetObjectKey, datasetObjectKey, parseIncomingKey } from '#domain/datasets';
import type { Trainer } from '#domain/schemas';
import { DEFAULT_LIMITS } from '#domain/zip-directory';
import { datasetCorpus, makeJpeg } from '#support/dataset-corpus';
import { makePng } from '#support/png';
import { buildZip, type EntrySpec } from '#support/zip-writer';

const trainer = (id: string, minImages: number, extra: Partial<Trainer['dataset']> = {}): Trainer => ({
  id, provider: 'fal', name: id, kind: 'image', description: '', trigger: 'required', params: [],
  dataset: { minImages, formats: ['jpg', 'png', 'webp'], captions: 'optional', ...extra },
});
const trainers = [trainer('few', 2), trainer('many', 10), trainer('captioned', 1, { captions: 'required' }), trainer('edit', 2, { layout: 'start-end' })];

/** A buffer as an archive source that records every read, in 64 KiB chunks like an HTTP body. */
function source(zip: Buffer) {
  const reads = { ranges: [] as [number, number][], streamed: 0 };
  const src: ArchiveSource = {
    size: zip.length,
    readRange: async (start, end) => { reads.ranges.push([start, end]); return zip.subarray(start, end); },
    stream: async function* () {
      for (let i = 0; i < zip.length; i += 65_536) { reads.streamed += Math.min(65_536, zip.length - i); yield zip.subarray(i, i + 65_536); }
    },
  };
  return { src, reads };
}

const validate = async (zip: Buffer) => (await inspectArchive(source(zip).src, trainers)).report;
const png = (side: number, seed = 1) => makePng(side, side, seed);

describe('validating a dataset zip', () => {
  it('counts images, pairs captions by name, reads sizes and says which trainers fit', async () => {
    const report = await validate(buildZip([
      { name: 'a.png', data: makePng(1024, 768, 1), method: 0 }, { name: 'a.txt', data: 'a photo of [trigger]' },
      { name: 'sub/b.jpg', data: makeJpeg(640, 480), method: 0 }, { name: 'sub/b.txt', data: 'tok smiling' },
      { name: '__MACOSX/._a.png', data: 'junk' },
    ]));
    expect(report).toMatchObject({ images: 2, videos: 0, captions: 2, pairs: 2, errors: [], minWidth: 640, maxWidth: 1024, triggerPlaceholders: 1, ignored: 1 });
    expect(report.fitsTrainers).toEqual(['few', 'captioned']);
  });

  it('fits an edit trainer only with start/end pairs', async () => {
    const report = await validate(buildZip([0, 1].flatMap((i) => [
      { name: `p${i}_start.png`, data: png(300, i), method: 0 }, { name: `p${i}_end.png`, data: png(300, i + 5), method: 0 }, { name: `p${i}.txt`, data: 'make it night' },
    ])));
    expect(report).toMatchObject({ editPairs: 2, pairs: 2, errors: [] });
    expect(report.fitsTrainers).toContain('edit');
  });

  it('refuses a file that is not a zip, with a reason', async () => {
    const report = await validate(Buffer.from('definitely not a zip file, just text'));
    expect(report.errors).toEqual([expect.objectContaining({ code: 'ZIP_UNREADABLE' })]);
    expect(report.fitsTrainers).toEqual([]);
  });

  it('computes the sha256 of the whole object in the same pass', async () => {
    const zip = buildZip([{ name: 'a.png', data: png(300), method: 0 }]);
    const { createHash } = await import('node:crypto');
    const result = await inspectArchive(source(zip).src, trainers);
    expect(result).toMatchObject({ sha256: createHash('sha256').update(zip).digest('hex'), sizeBytes: zip.length });
  });
});

describe('reading an archive at most once', () => {
  it('reads the directory by ranges from the end, then streams the object once', async () => {
    const big = buildZip(Array.from({ length: 30 }, (_, i) => ({ name: `img${i}.png`, data: makePng(512, 512, i), method: 0 })));
    expect(big.length).toBeGreaterThan(200_000);
    const { src, reads } = source(big);
    const { report } = await inspectArchive(src, trainers);
    expect(report.images).toBe(30);
    expect(reads.streamed).toBe(big.length);
    const ranged = reads.ranges.reduce((sum, [s, e]) => sum + e - s, 0);
    expect(ranged).toBeLessThanOrEqual(66_000 + 30 * 100);
    expect(reads.ranges.every(([, end]) => end === big.length) || reads.ranges.length <= 2).toBe(true);
  });

  it('reads a small archive only once (the tail read is the whole file)', async () => {
    const small = buildZip([{ name: 'a.png', data: png(64), method: 0 }]);
    const { src, reads } = source(small);
    await inspectArchive(src, trainers);
    expect(reads.streamed).toBe(0);
    expect(reads.ranges).toEqual([[0, small.length]]);
  });
});

describe('the corpus, without a cloud', () => {
  it.each(datasetCorpus().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const report = await validate(c.zip);
    const status = report.errors.length ? 'INVALID' : 'READY';
    expect(status, JSON.stringify(report.errors)).toBe(c.status);
    if (c.finding) {
      expect(status === 'INVALID' ? report.errors : report.warnings).toContainEqual(expect.objectContaining({ code: c.finding.code, ...(c.finding.file ? { file: c.finding.file } : {}) }));
    }
  });
});

describe('bounds', () => {
  it('refuses an entry past the ratio bound from its declared sizes alone, before reading it', async () => {
    const { src, reads } = source(buildZip([
      { name: 'a.png', data: png(64), method: 0 },
      { name: 'bomb.png', data: Buffer.alloc(DEFAULT_LIMITS.ratioFloorBytes * 4), method: 8 },
    ]));
    const { report } = await inspectArchive(src, trainers);
    expect(report.errors).toContainEqual(expect.objectContaining({ code: 'ZIP_BOMB', file: 'bomb.png' }));
    expect(reads.streamed).toBe(0); // small: the tail read was the whole archive, never streamed again
  });

  it('keeps a report small: at most 25 findings per code, then a summary', async () => {
    const specs: EntrySpec[] = Array.from({ length: 40 }, (_, i) => ({ name: `t${i}.txt`, data: 'orphan' }));
    const report = await validate(buildZip([...specs, { name: 'a.png', data: png(300), method: 0 }]));
    const orphans = report.warnings.filter((w) => w.code === 'ORPHAN_CAPTION');
    expect(orphans).toHaveLength(26);
    expect(orphans.at(-1)!.message).toMatch(/15 more/);
  });
});

describe('a job and its dataset version', () => {
  it('refuses a job on a version that does not fit the trainer', () => {
    const report = { images: 3, videos: 0, captions: 0, pairs: 0, errors: [], warnings: [] };
    const version = { version: 1, status: 'READY' as const, sizeBytes: 1, source: 'web' as const, createdAt: '2025-01-01T00:00:00Z', report };
    const dataset = { id: 'd', name: 'Faces', createdAt: '2025-01-01T00:00:00Z' };
    expect(() => ensureTrainable(dataset, version, trainers[1]!)).toThrowError(/needs at least 10 images, the dataset has 3/);
    expect(() => ensureTrainable(dataset, version, trainers[3]!)).toThrowError(/start\/end image pairs/);
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
    expect(parseIncomingKey('incoming/alice/set.zip')).toBeNull();
    expect(parseIncomingKey('incoming/alice/../x/set.zip')).toBeNull();
    expect(parseIncomingKey('incoming/alice/faces/notes.txt')).toBeNull();
  });

  it('reads the direct-upload convention: incoming/{owner}/{dataset}/{file}.zip and its .train.json sidecar', () => {
    expect(parseIncomingKey('incoming/user%7C42/faces/set 1+2.zip')).toEqual({ owner: 'user|42', datasetId: 'faces', fileName: 'set 1+2.zip', zipKey: 'incoming/user%7C42/faces/set 1+2.zip', sidecar: false });
    expect(parseIncomingKey('incoming/alice/faces/set.zip.train.json')).toMatchObject({ sidecar: true, zipKey: 'incoming/alice/faces/set.zip' });
  });
});
