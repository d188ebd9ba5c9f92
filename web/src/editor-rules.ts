// The dataset editor's pure rules: bulk caption actions on all images or a selection, the change set a save sends,
// the format in which unsaved edits are kept in localStorage per (dataset, version), and for files picked before
// their first upload, their findings and the files the upload then sends.
import { emptyCaption, missingCaption } from '#domain/caption-findings';
import type { CreateDatasetVersionRequest, DatasetFile, Finding } from '#domain/schemas';

/** What the editor shows of an image: a version's manifest entry, or a picked local file described the same way. */
export type EditorFile = Pick<DatasetFile, 'name' | 'kind' | 'sizeBytes' | 'width' | 'height' | 'caption' | 'captionFile' | 'findings'>;

/** The editor's edits of one version: new captions by image name, and the images to remove. */
export interface EditorEdits {
  captions: Record<string, string>;
  remove: string[];
}

export const TRIGGER_PLACEHOLDER = '[trigger]';

/** The trigger phrase put into a caption: `[trigger]` replaced where it appears, else a prefix (once). */
export function insertTrigger(caption: string, trigger: string): string {
  const phrase = trigger.trim();
  if (!phrase) return caption;
  if (caption.includes(TRIGGER_PLACEHOLDER)) return caption.split(TRIGGER_PLACEHOLDER).join(phrase);
  const text = caption.trim();
  if (text === phrase || text.startsWith(`${phrase},`) || text.startsWith(`${phrase} `)) return caption;
  return text ? `${phrase}, ${text}` : phrase;
}

/** Every occurrence of `find` replaced (plain text, case-sensitive). */
export function findReplace(caption: string, find: string, replace: string): string {
  return find ? caption.split(find).join(replace) : caption;
}

/** An empty caption filled from a template (`{name}`: the file name without folder or extension). */
export function fillFromTemplate(caption: string, template: string, fileName: string): string {
  if (caption.trim()) return caption;
  const base = fileName.replace(/^.*\//, '').replace(/\.[^.]+$/, '');
  return template.split('{name}').join(base);
}

/** The images of a version the editor shows (captions and masks go with their image). */
export function editableFiles<F extends EditorFile>(files: readonly F[]): F[] {
  return files.filter((f) => f.kind === 'image' || f.kind === 'video');
}

/** The caption an image shows now: the edit, else the version's. */
export function currentCaption(file: EditorFile, edits: EditorEdits): string {
  return edits.captions[file.name] ?? file.caption ?? '';
}

/** Applies one caption rule to the chosen images (all when `names` is empty); edits equal to the original drop out. */
export function applyBulk(
  files: readonly EditorFile[], edits: EditorEdits, names: ReadonlySet<string>, rule: (caption: string, file: EditorFile) => string,
): EditorEdits {
  const captions = { ...edits.captions };
  for (const file of editableFiles(files)) {
    if (names.size > 0 && !names.has(file.name)) continue;
    if (edits.remove.includes(file.name)) continue;
    setCaption(captions, file, rule(currentCaption(file, edits), file));
  }
  return { captions, remove: edits.remove };
}

/** One caption edit; back to the original removes the edit. */
export function editCaption(edits: EditorEdits, file: EditorFile, caption: string): EditorEdits {
  const captions = { ...edits.captions };
  setCaption(captions, file, caption);
  return { captions, remove: edits.remove };
}

function setCaption(captions: Record<string, string>, file: EditorFile, caption: string): void {
  if (caption === (file.caption ?? '')) delete captions[file.name];
  else captions[file.name] = caption;
}

/** Marks images removed (or restores them when `removed` is false). */
export function setRemoved(edits: EditorEdits, names: Iterable<string>, removed = true): EditorEdits {
  const set = new Set(edits.remove);
  for (const name of names) { if (removed) set.add(name); else set.delete(name); }
  return { captions: edits.captions, remove: [...set].sort() };
}

/** How many images the edits change (a removed image counts once, its caption edit not again); each added file
 * counts once, and an addition that replaces an image of the version is not counted again for that image's edits. */
export function changeCount(edits: EditorEdits, added: readonly string[] = []): number {
  const adds = new Set(added);
  const removed = new Set(edits.remove.filter((n) => !adds.has(n)));
  return adds.size + removed.size + Object.keys(edits.captions).filter((n) => !removed.has(n) && !adds.has(n)).length;
}

/** The request a save sends: only what changed; captions of removed images are left out, and so are edits of an
 * image an added file of the same name replaces. With added files it asks for an upload of them (`addUpload`). */
export function buildChangeSet(from: number, files: readonly EditorFile[], edits: EditorEdits, added: readonly string[] = []): CreateDatasetVersionRequest {
  const adds = new Set(added);
  const known = new Map(editableFiles(files).filter((f) => !adds.has(f.name)).map((f) => [f.name, f]));
  const remove = edits.remove.filter((n) => known.has(n)).sort();
  const captions: Record<string, string> = {};
  for (const [name, caption] of Object.entries(edits.captions).sort(([a], [b]) => a.localeCompare(b))) {
    const file = known.get(name);
    if (!file || remove.includes(name) || caption === (file.caption ?? '')) continue;
    captions[name] = caption;
  }
  return { from, captions, remove, ...(adds.size ? { addUpload: true } : {}), source: 'web' };
}

/** What the editor may add: images and videos, each with the .txt caption of the same stem when picked too. */
const ADDABLE_MEDIA = /\.(jpe?g|png|webp|mp4|mov|webm)$/i;
const stemOf = (name: string) => name.replace(/\.[^./]+$/, '');

/** The picked files as additions: each image or video with its .txt (same stem) if there is one; the rest skipped. */
export function pairAdditions<T extends { name: string }>(picked: readonly T[]): { media: { file: T; caption?: T }[]; skipped: string[] } {
  const texts = new Map(picked.filter((f) => /\.txt$/i.test(f.name)).map((f) => [stemOf(f.name), f]));
  const media = picked.filter((f) => ADDABLE_MEDIA.test(f.name)).map((file) => {
    const caption = texts.get(stemOf(file.name));
    return caption ? { file, caption } : { file };
  });
  const used = new Set(media.flatMap((m) => (m.caption ? [m.caption.name] : [])));
  const skipped = picked.filter((f) => !ADDABLE_MEDIA.test(f.name) && !used.has(f.name)).map((f) => f.name);
  return { media, skipped };
}

/** The caption file written next to an added image in the additions zip (none for an empty caption). */
export function additionCaptionFiles(added: readonly { name: string; caption: string }[]): { name: string; text: string }[] {
  return added.filter((a) => a.caption.trim() !== '').map((a) => ({ name: `${stemOf(a.name)}.txt`, text: a.caption }));
}

/** The selection with one card chosen or not. */
export function toggleSelected(selection: ReadonlySet<string>, name: string, selected: boolean): Set<string> {
  const next = new Set(selection);
  if (selected) next.add(name); else next.delete(name);
  return next;
}

/** "Select all": every image not marked removed. */
export function selectAll(files: readonly EditorFile[], edits: EditorEdits): Set<string> {
  return new Set(editableFiles(files).map((f) => f.name).filter((n) => !edits.remove.includes(n)));
}

/** The selection that still names a shown, not removed image (a removed image leaves it). */
export function liveSelection(selection: ReadonlySet<string>, files: readonly EditorFile[], edits: EditorEdits): Set<string> {
  const shown = selectAll(files, edits);
  return new Set([...selection].filter((n) => shown.has(n)));
}

/** A bulk button says when it acts on the selection rather than on every image. */
export function bulkLabel(label: string, selected: number): string {
  return selected > 0 ? `${label} (${selected} selected)` : label;
}

/** localStorage: one key per (dataset, version); the value is versioned so a later format can tell. */
export const EDITS_STORAGE_PREFIX = 'loraworks.editor.';
export function editsStorageKey(datasetId: string, version: number): string {
  return `${EDITS_STORAGE_PREFIX}${datasetId}.v${version}`;
}

export function serializeEdits(edits: EditorEdits, savedAt: number): string {
  return JSON.stringify({ format: 1, savedAt, captions: edits.captions, remove: edits.remove });
}

/** The stored edits, or undefined when absent, unreadable, of another format or empty. */
export function parseStoredEdits(text: string | null): (EditorEdits & { savedAt: number }) | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as { format?: unknown; savedAt?: unknown; captions?: unknown; remove?: unknown };
    if (value.format !== 1 || typeof value.captions !== 'object' || value.captions === null || !Array.isArray(value.remove)) return undefined;
    const captions: Record<string, string> = {};
    for (const [k, v] of Object.entries(value.captions as Record<string, unknown>)) if (typeof v === 'string') captions[k] = v;
    const remove = value.remove.filter((n): n is string => typeof n === 'string');
    if (Object.keys(captions).length === 0 && remove.length === 0) return undefined;
    return { captions, remove, savedAt: typeof value.savedAt === 'number' ? value.savedAt : 0 };
  } catch {
    return undefined;
  }
}

/** A picked image or video with its caption file, if one of the same stem was picked (T: the browser's File). */
export interface PickedMedia<T> { file: T; caption?: T; captionText?: string }

export const mediaKind = (name: string): 'image' | 'video' => (/\.(mp4|mov|webm)$/i.test(name) ? 'video' : 'image');

/** The picked files as the editor's cards: the caption read from the .txt, no dimensions until decoded. */
export function pickedEditorFiles<T extends { name: string; size: number }>(media: readonly PickedMedia<T>[]): EditorFile[] {
  return media.map((m) => ({
    name: m.file.name, kind: mediaKind(m.file.name), sizeBytes: m.file.size, findings: [],
    ...(m.caption ? { caption: m.captionText ?? '', captionFile: m.caption.name } : {}),
  }));
}

/** What the upload of an edited pick sends: the images not removed, each caption file kept as picked when its
 * caption is unchanged, written anew when edited (none when edited to empty). */
export function pickUpload<T extends { name: string; size: number }>(media: readonly PickedMedia<T>[], edits: EditorEdits): { keep: T[]; write: { name: string; text: string }[] } {
  const keep: T[] = [];
  const write: { name: string; text: string }[] = [];
  for (const m of media) {
    if (edits.remove.includes(m.file.name)) continue;
    keep.push(m.file);
    const edited = edits.captions[m.file.name];
    if (edited === undefined) { if (m.caption) keep.push(m.caption); } else if (edited.trim()) write.push({ name: m.caption?.name ?? `${stemOf(m.file.name)}.txt`, text: edited });
  }
  return { keep, write };
}

/** The caption findings the validator will report for that upload, by image name (the same codes and messages). */
export function pickFindings<T extends { name: string; size: number }>(media: readonly PickedMedia<T>[], edits: EditorEdits): Map<string, Finding[]> {
  const { keep, write } = pickUpload(media, edits);
  const captions = new Set([...keep.filter((f) => /\.txt$/i.test(f.name)).map((f) => f.name), ...write.map((w) => w.name)]);
  const out = new Map<string, Finding[]>();
  for (const m of media) {
    const name = m.file.name;
    if (edits.remove.includes(name)) continue;
    const edited = edits.captions[name];
    const captionName = edited === undefined ? m.caption?.name : write.find((w) => w.name === (m.caption?.name ?? `${stemOf(name)}.txt`))?.name;
    if (!captionName) out.set(name, captions.size > 0 ? [missingCaption(name, stemOf(name))] : []);
    else out.set(name, (edited ?? m.captionText ?? '').trim() === '' ? [emptyCaption(captionName)] : []);
  }
  return out;
}

/** Loose images (with or without captions) wait to be reviewed or uploaded; a .zip goes up at once, and a pick
 * without any image goes to the upload too, which says what is wrong with it. */
export function waitsForReview(files: readonly { name: string }[]): boolean {
  return !files.some((f) => /\.zip$/i.test(f.name)) && files.some((f) => ADDABLE_MEDIA.test(f.name));
}

/** The pick card's line: "3 images, 2 captions picked". */
export function pickSummary(files: readonly { name: string }[]): string {
  const media = files.filter((f) => ADDABLE_MEDIA.test(f.name)).length;
  const captions = files.filter((f) => /\.txt$/i.test(f.name)).length;
  return `${media} ${media === 1 ? 'image' : 'images'}, ${captions} ${captions === 1 ? 'caption' : 'captions'} picked`;
}
