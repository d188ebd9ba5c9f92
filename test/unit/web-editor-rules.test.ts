// The dataset editor's rules without a browser: bulk insert of the trigger phrase (prefix or `[trigger]`), find and
// replace, fill empty captions from a template, selection, removal, the change set a save sends, the stored edits'
// format, and for a fresh pick its findings (as the validator says them) and the files its upload sends.
import { describe, expect, it } from 'vitest';
import { CreateDatasetVersionRequest, type DatasetFile } from '#domain/schemas';
import { inspectArchive } from '#domain/archive-inspection';
import { fallbackTrainers } from '#domain/trainer-catalog';
import {
  additionCaptionFiles, applyBulk, pairAdditions, buildChangeSet, bulkLabel, changeCount, editCaption, editsStorageKey, fillFromTemplate, findReplace,
  insertTrigger, liveSelection, parseStoredEdits, pickedEditorFiles, pickFindings, pickSummary, pickUpload, selectAll, serializeEdits, setRemoved,
  toggleSelected, waitsForReview, type EditorEdits,
} from '#web/editor-rules';
import { makePng } from '#support/png';
import { buildZip } from '#support/zip-writer';

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

  it('selects cards one by one or all (not removed ones), and says when a bulk action acts on the selection', () => {
    let selection = toggleSelected(new Set(), 'a.png', true);
    selection = toggleSelected(selection, 'b.png', true);
    expect([...toggleSelected(selection, 'a.png', false)]).toEqual(['b.png']);
    expect(bulkLabel('Insert trigger', selection.size)).toBe('Insert trigger (2 selected)');
    expect(bulkLabel('Insert trigger', 0)).toBe('Insert trigger');
    const removedB = setRemoved(none, selection);
    expect(removedB.remove).toEqual(['a.png', 'b.png']);
    expect([...liveSelection(selection, files, removedB)]).toEqual([]);
    expect([...selectAll(files, setRemoved(none, ['c.png']))]).toEqual(['a.png', 'b.png']);
    const bulk = applyBulk(files, none, selection, (c) => insertTrigger(c, 'sks'));
    expect(bulk.captions).toEqual({ 'a.png': 'sks, a cat', 'b.png': 'photo of sks on a mat' });
  });

  describe('a fresh pick before its first upload', () => {
    const local = (name: string, size = 10) => ({ name, size });
    const media = [
      { file: local('x.png'), caption: local('x.txt'), captionText: 'a dog' },
      { file: local('y.png'), caption: local('y.txt'), captionText: '' },
      { file: local('z.png') },
    ];

    it('waits for review when it holds loose images; a .zip, or no image at all, goes to the upload at once', () => {
      expect(waitsForReview([local('x.png'), local('x.txt')])).toBe(true);
      expect(waitsForReview([local('set.zip')])).toBe(false);
      expect(waitsForReview([local('notes.txt')])).toBe(false);
      expect(pickSummary([local('x.png'), local('x.txt'), local('z.jpg'), local('notes.pdf')])).toBe('2 images, 1 caption picked');
    });

    it('shows the picked files as cards with their caption text and size', () => {
      expect(pickedEditorFiles(media)).toEqual([
        { name: 'x.png', kind: 'image', sizeBytes: 10, findings: [], caption: 'a dog', captionFile: 'x.txt' },
        { name: 'y.png', kind: 'image', sizeBytes: 10, findings: [], caption: '', captionFile: 'y.txt' },
        { name: 'z.png', kind: 'image', sizeBytes: 10, findings: [] },
      ]);
    });

    it('says the caption findings the validator will report, with its codes and messages, following the edits', () => {
      const found = pickFindings(media, none);
      expect(found.get('x.png')).toEqual([]);
      expect(found.get('y.png')).toEqual([{ code: 'EMPTY_CAPTION', message: 'y.txt is empty; the image will train without a description.', file: 'y.txt' }]);
      expect(found.get('z.png')).toEqual([{ code: 'MISSING_CAPTION', message: 'z.png has no caption (z.txt).', file: 'z.png' }]);
      const filled = pickFindings(media, editCaption(none, { name: 'z.png', kind: 'image', sizeBytes: 10, findings: [] }, 'a cat'));
      expect(filled.get('z.png')).toEqual([]);
      expect(pickFindings(media, setRemoved(none, ['z.png'])).has('z.png')).toBe(false);
    });

    it('says them exactly as the validator reports the same files once zipped', async () => {
      const zip = buildZip([
        { name: 'x.png', data: makePng(320, 320, 1), method: 0 }, { name: 'x.txt', data: 'a dog' },
        { name: 'y.png', data: makePng(320, 320, 2), method: 0 }, { name: 'y.txt', data: '' },
        { name: 'z.png', data: makePng(320, 320, 3), method: 0 },
      ]);
      const { report } = await inspectArchive({ size: zip.length, readRange: async (a, b) => zip.subarray(a, b), stream: async function* () { yield zip; } }, fallbackTrainers);
      const captionCodes = new Set(['MISSING_CAPTION', 'EMPTY_CAPTION']);
      expect(report.warnings.filter((f) => captionCodes.has(f.code))).toEqual([...pickFindings(media, none).values()].flat());
    });

    it('uploads the images not removed, unchanged captions as picked and edited ones written anew', () => {
      let edits = editCaption(none, pickedEditorFiles(media)[2]!, 'a cat');
      edits = editCaption(edits, pickedEditorFiles(media)[0]!, 'a big dog');
      edits = setRemoved(edits, ['y.png']);
      const { keep, write } = pickUpload(media, edits);
      expect(keep.map((f) => f.name)).toEqual(['x.png', 'z.png']);
      expect(write).toEqual([{ name: 'x.txt', text: 'a big dog' }, { name: 'z.txt', text: 'a cat' }]);
      expect(pickUpload(media, none).keep.map((f) => f.name)).toEqual(['x.png', 'x.txt', 'y.png', 'y.txt', 'z.png']);
    });
  });
});
