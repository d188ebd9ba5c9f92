// The dataset editor's pure rules: bulk caption actions, the change set a save sends, and the format in which
// unsaved edits are kept in localStorage per (dataset, version).
import type { CreateDatasetVersionRequest, DatasetFile } from '#domain/schemas';

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
export function editableFiles(files: DatasetFile[]): DatasetFile[] {
  return files.filter((f) => f.kind === 'image' || f.kind === 'video');
}

/** The caption an image shows now: the edit, else the version's. */
export function currentCaption(file: DatasetFile, edits: EditorEdits): string {
  return edits.captions[file.name] ?? file.caption ?? '';
}

/** Applies one caption rule to the chosen images (all when `names` is empty); edits equal to the original drop out. */
export function applyBulk(
  files: DatasetFile[], edits: EditorEdits, names: ReadonlySet<string>, rule: (caption: string, file: DatasetFile) => string,
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
export function editCaption(edits: EditorEdits, file: DatasetFile, caption: string): EditorEdits {
  const captions = { ...edits.captions };
  setCaption(captions, file, caption);
  return { captions, remove: edits.remove };
}

function setCaption(captions: Record<string, string>, file: DatasetFile, caption: string): void {
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
export function buildChangeSet(from: number, files: DatasetFile[], edits: EditorEdits, added: readonly string[] = []): CreateDatasetVersionRequest {
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
