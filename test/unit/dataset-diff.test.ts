// What changed between two versions, from their manifests (a pure rule), and the summary the versions list shows.
import { describe, expect, it } from 'vitest';
import { diffBase, diffManifests, diffSummary } from '#domain/dataset-diff';
import type { DatasetFile } from '#domain/schemas';

const file = (name: string, hash: string, fields: Partial<DatasetFile> = {}): DatasetFile => ({
  name, kind: 'image', sizeBytes: 10, contentHash: hash, findings: [],
  zip: { headerOffset: 0, dataOffset: 30, compressedSize: 10, method: 'stored', crc32: 0 }, ...fields,
});
const caption = (name: string, text: string) => file(name, `h(${text})`, { kind: 'caption', caption: text });
const image = (name: string, hash: string, captionText?: string) =>
  file(name, hash, captionText === undefined ? {} : { caption: captionText, captionFile: name.replace(/\.\w+$/, '.txt') });

const v3 = [image('a.png', 'A', 'a cat'), caption('a.txt', 'a cat'), image('b.png', 'B', 'a dog'), caption('b.txt', 'a dog'),
  image('c.png', 'C'), image('d.png', 'D', 'old'), caption('d.txt', 'old'), caption('notes.txt', 'orphan')];
const v4 = [image('a.png', 'A', 'a cat'), caption('a.txt', 'a cat'), image('b.png', 'B2', 'a dog'), caption('b.txt', 'a dog'),
  image('d.png', 'D', 'new'), caption('d.txt', 'new'), image('e.png', 'E'), image('f.png', 'F'), caption('notes.txt', 'orphan, edited')];

describe('diffManifests', () => {
  it('names the images added, removed, and changed in content or caption (captions count as their image’s)', () => {
    expect(diffManifests({ version: 3, files: v3 }, { version: 4, files: v4 })).toEqual({
      from: 3, to: 4, added: ['e.png', 'f.png'], removed: ['c.png'],
      changed: [{ name: 'b.png', what: 'content' }, { name: 'd.png', what: 'caption' }],
    });
  });

  it('sees a caption added to or removed from an image, and none between a version and itself', () => {
    const captioned = [image('c.png', 'C', 'now captioned'), caption('c.txt', 'now captioned')];
    expect(diffManifests({ version: 1, files: [image('c.png', 'C')] }, { version: 2, files: captioned }).changed).toEqual([{ name: 'c.png', what: 'caption' }]);
    expect(diffManifests({ version: 2, files: captioned }, { version: 3, files: [image('c.png', 'C')] }).changed).toEqual([{ name: 'c.png', what: 'caption' }]);
    expect(diffManifests({ version: 4, files: v4 }, { version: 4, files: v4 })).toEqual({ from: 4, to: 4, added: [], removed: [], changed: [] });
  });

  it('starts from the version it was derived from, else the one before (0: none, everything added)', () => {
    expect(diffBase({ version: 5, derivedFrom: 2 })).toBe(2);
    expect(diffBase({ version: 5 })).toBe(4);
    expect(diffManifests({ version: 0, files: [] }, { version: 1, files: v3 }).added).toEqual(['a.png', 'b.png', 'c.png', 'd.png']);
  });

  it('says it in a few words', () => {
    expect(diffSummary(diffManifests({ version: 3, files: v3 }, { version: 4, files: v4 }))).toBe('+2 −1, 1 file changed, 1 caption changed');
    expect(diffSummary({ from: 1, to: 2, added: [], removed: [], changed: [] })).toBe('no changes');
  });
});
