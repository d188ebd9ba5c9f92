// What changed between two versions of a dataset, from their manifests: media files added and removed by name,
// and for a file in both, its content (sha256 of its bytes) or its caption (the text of its paired caption file).
// Caption files count as their image's; a caption file with no image is not compared.
import type { DatasetDiff, DatasetFile } from './schemas';

const COMPARED: ReadonlySet<DatasetFile['kind']> = new Set(['image', 'video', 'mask']);

/** A media file's caption as compared: its caption file's content hash (so a caption too long to list still counts). */
function captionOf(file: DatasetFile, byName: Map<string, DatasetFile>): string {
  if (!file.captionFile) return '';
  return byName.get(file.captionFile)?.contentHash ?? `text:${file.caption ?? ''}`;
}

/** `from` = 0 stands for no version (the first version: everything is added). */
export function diffManifests(from: { version: number; files: readonly DatasetFile[] }, to: { version: number; files: readonly DatasetFile[] }): DatasetDiff {
  const index = (files: readonly DatasetFile[]) => new Map(files.map((f) => [f.name, f]));
  const before = index(from.files);
  const after = index(to.files);
  const media = (files: Map<string, DatasetFile>) => [...files.values()].filter((f) => COMPARED.has(f.kind));
  const added = media(after).filter((f) => !before.has(f.name) || !COMPARED.has(before.get(f.name)!.kind)).map((f) => f.name);
  const removed = media(before).filter((f) => !after.has(f.name) || !COMPARED.has(after.get(f.name)!.kind)).map((f) => f.name);
  const changed: DatasetDiff['changed'] = [];
  for (const file of media(after)) {
    const old = before.get(file.name);
    if (!old || !COMPARED.has(old.kind)) continue;
    if (old.contentHash !== file.contentHash) changed.push({ name: file.name, what: 'content' });
    if (captionOf(old, before) !== captionOf(file, after)) changed.push({ name: file.name, what: 'caption' });
  }
  const byName = (a: string, b: string) => a.localeCompare(b);
  return { from: from.version, to: to.version, added: added.sort(byName), removed: removed.sort(byName), changed: changed.sort((a, b) => byName(a.name, b.name)) };
}

/** The version a diff starts from when none is asked: the one it was derived from, else the one before (0: none). */
export const diffBase = (version: { version: number; derivedFrom?: number }): number => version.derivedFrom ?? version.version - 1;

/** "+3 −1, 2 captions changed" (what the versions list shows). */
export function diffSummary(diff: DatasetDiff): string {
  const parts: string[] = [];
  if (diff.added.length || diff.removed.length) parts.push(`+${diff.added.length} −${diff.removed.length}`);
  const count = (what: 'content' | 'caption') => diff.changed.filter((c) => c.what === what).length;
  const captions = count('caption');
  const contents = count('content');
  if (contents) parts.push(`${contents} ${contents === 1 ? 'file' : 'files'} changed`);
  if (captions) parts.push(`${captions} ${captions === 1 ? 'caption' : 'captions'} changed`);
  return parts.join(', ') || 'no changes';
}
