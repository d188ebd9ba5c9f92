// The dataset editor's rules without a browser: bulk insert of the trigger phrase (prefix or `[trigger]`), find and
// replace, fill empty captions from a template, removal, the change set a save sends and the stored edits' format.
import { describe, expect, it } from 'vitest';
import { CreateDatasetVersionRequest, type DatasetFile } from '#domain/schemas';
import {
  additionCaptionFiles, applyBulk, pairAdditions, buildChangeSet, changeCount, editCaption, editsStorageKey, fillFromTemplate, findReplace, insertTrigger,
  parseStoredEdits, serializeEdits, setRemoved, type EditorEdits,
} from '#web/editor-rules';

const file = (name: string, caption?: string): DatasetFile => ({
  name, kind: 'image', sizeBytes: 10, contentHash: 'h', caption, findings: [],
  zip: { dataOffset: 0, compressedSize: 10, method: 'stored', crc32: 0 },
} as unknown as DatasetFile);
const files = [file('a.png', 'a cat'), file('b.png', 'photo of [trigger] on a mat'), file('c.png'), { ...file('a.txt', 'a cat'), kind: 'caption' } as DatasetFile];
const none: EditorEdits = { captions: {}, remove: [] };

describe('editor rules', () => {
  it('inserts the trigger phrase as a prefix, or in place of [trigger], never twice', () => {
    expect(insertTrigger('a cat', 'sks')).toBe('sks, a cat');
    expect(insertTrigger('photo of [trigger] and [trigger]', 'sks')).toBe('photo of sks and sks');
    expect(insertTrigger('sks, a cat', 'sks')).toBe('sks, a cat');
    expect(insertTrigger('', 'sks')).toBe('sks');
    expect(insertTrigger('a cat', '  ')).toBe('a cat');
  });

  it('finds and replaces every occurrence; fills only empty captions from a template', () => {
    expect(findReplace('a cat and a cat', 'cat', 'dog')).toBe('a dog and a dog');
    expect(findReplace('a cat', '', 'dog')).toBe('a cat');
    expect(fillFromTemplate('', 'a photo of {name}', 'pets/c.png')).toBe('a photo of c');
    expect(fillFromTemplate('kept', 'a photo of {name}', 'c.png')).toBe('kept');
  });

  it('applies a bulk action to all images or to a selection, skipping removed ones; back to the original is no edit', () => {
    const all = applyBulk(files, none, new Set(), (c) => insertTrigger(c, 'sks'));
    expect(all.captions).toEqual({ 'a.png': 'sks, a cat', 'b.png': 'photo of sks on a mat', 'c.png': 'sks' });
    const some = applyBulk(files, setRemoved(none, ['c.png']), new Set(['a.png', 'c.png']), (c) => insertTrigger(c, 'sks'));
    expect(some.captions).toEqual({ 'a.png': 'sks, a cat' });
    expect(editCaption(all, files[0]!, 'a cat').captions).not.toHaveProperty('a.png');
  });

  it('builds the change set of a save: only what changed, removed images without their caption, a valid request', () => {
    let edits = editCaption(none, files[0]!, 'a black cat');
    edits = editCaption(edits, files[1]!, 'photo of [trigger] on a mat');
    edits = editCaption(edits, files[2]!, 'new');
    edits = setRemoved(edits, ['c.png', 'unknown.png']);
    expect(changeCount(edits)).toBe(3);
    const body = buildChangeSet(2, files, edits);
    expect(body).toEqual({ from: 2, captions: { 'a.png': 'a black cat' }, remove: ['c.png'], source: 'web' });
    expect(CreateDatasetVersionRequest.parse(body)).toEqual(body);
    expect(changeCount(setRemoved(edits, ['c.png', 'unknown.png'], false))).toBe(2);
  });

  it('keeps unsaved edits in a versioned format per (dataset, version), refusing anything else', () => {
    const edits = { captions: { 'a.png': 'x' }, remove: ['c.png'] };
    expect(editsStorageKey('ds1', 3)).toBe('loraworks.editor.ds1.v3');
    expect(parseStoredEdits(serializeEdits(edits, 5))).toEqual({ ...edits, savedAt: 5 });
    expect(parseStoredEdits(serializeEdits(none, 5))).toBeUndefined();
    expect(parseStoredEdits('{"format":2,"captions":{},"remove":["a"]}')).toBeUndefined();
    expect(parseStoredEdits('not json')).toBeUndefined();
    expect(parseStoredEdits(null)).toBeUndefined();
  });

  it('pairs added images with their .txt, counts additions as changes and asks for their upload', () => {
    const picked = [{ name: 'd.png' }, { name: 'd.txt' }, { name: 'e.jpg' }, { name: 'lone.txt' }, { name: 'notes.pdf' }];
    const { media, skipped } = pairAdditions(picked);
    expect(media).toEqual([{ file: { name: 'd.png' }, caption: { name: 'd.txt' } }, { file: { name: 'e.jpg' } }]);
    expect(skipped).toEqual(['lone.txt', 'notes.pdf']);
    expect(additionCaptionFiles([{ name: 'd.png', caption: 'a dog' }, { name: 'e.jpg', caption: ' ' }])).toEqual([{ name: 'd.txt', text: 'a dog' }]);
    // a.png is replaced by an added file of the same name: its edit and removal give way to the addition.
    const edits = setRemoved(editCaption(editCaption(none, files[0]!, 'x'), files[1]!, 'y'), ['a.png']);
    expect(changeCount(edits, ['a.png', 'd.png'])).toBe(3);
    const body = buildChangeSet(1, files, edits, ['a.png', 'd.png']);
    expect(body).toEqual({ from: 1, captions: { 'b.png': 'y' }, remove: [], addUpload: true, source: 'web' });
    expect(CreateDatasetVersionRequest.parse(body)).toEqual(body);
    expect(buildChangeSet(1, files, edits)).not.toHaveProperty('addUpload');
  });
});
