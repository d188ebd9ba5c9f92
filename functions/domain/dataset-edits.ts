// Versions made from edits (POST /datasets/{id}/versions): which names an edit may touch, what it removes and
// writes, and where its request and its additions zip are kept. Pure: the names come from the source's zip
// directory. Captions pair with their image by path stem, masks are STEM_mask.EXT (dataset-validation.ts).
import { CAPTION_EXTENSIONS, MEDIA_EXTENSIONS, isJunk } from './dataset-validation';
import type { ErrorDetail } from './errors';

const extension = (name: string) => /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
const stem = (name: string) => name.replace(/\.[^./]+$/, '');

export const isCaptionName = (name: string): boolean => !isJunk(name) && CAPTION_EXTENSIONS.includes(extension(name));
const isMaskName = (name: string): boolean => /_mask$/i.test(stem(name));
/** An image or a video (not a mask): what `captions` and `remove` may name. */
export const isMediaName = (name: string): boolean => !isJunk(name) && extension(name) in MEDIA_EXTENSIONS && !isMaskName(name);

export interface EditRequest {
  captions: Record<string, string>;
  remove: string[];
  addUpload?: boolean;
}

/** Nothing to do: no caption, no removal, no additions. */
export const editIsEmpty = (request: EditRequest): boolean =>
  Object.keys(request.captions).length === 0 && request.remove.length === 0 && !request.addUpload;

/** What is wrong with an edit of version `from` whose zip holds `names` (422 details); empty when it can be made. */
export function editProblems(names: Iterable<string>, request: EditRequest, from: number): ErrorDetail[] {
  const media = new Set([...names].filter(isMediaName));
  const removed = new Set(request.remove);
  const problems: ErrorDetail[] = [];
  for (const name of Object.keys(request.captions)) {
    if (!media.has(name)) problems.push({ field: `captions.${name}`, message: `No such image in v${from}: captions are keyed by an image's or video's path in the zip.` });
    else if (removed.has(name)) problems.push({ field: `captions.${name}`, message: `${name} is also in remove; either caption it or remove it.` });
  }
  request.remove.forEach((name, i) => {
    if (!media.has(name)) problems.push({ field: `remove[${i}]`, message: `No such image in v${from}: remove names images or videos by their path in the zip.` });
  });
  return problems;
}

/** A caption file the new version writes (UTF-8 text). */
export interface CaptionWrite { name: string; text: string }

export interface EditPlan {
  /** Source entries left out: removed images with their captions and masks, and every replaced caption. */
  drop: Set<string>;
  /** Caption files written anew. */
  write: CaptionWrite[];
}

/**
 * What an edit does to a zip holding `names`: a removed image takes its caption and mask files with it; a new
 * caption replaces the image's caption file (keeping its name, or STEM.txt when it had none); an empty caption
 * removes it.
 */
export function planEdit(names: Iterable<string>, request: EditRequest): EditPlan {
  const all = [...names];
  const captionsOf = new Map<string, string[]>();
  const masksOf = new Map<string, string[]>();
  for (const name of all) {
    if (isCaptionName(name)) captionsOf.set(stem(name), [...(captionsOf.get(stem(name)) ?? []), name]);
    else if (isMaskName(name) && !isJunk(name)) {
      const base = stem(name).replace(/_mask$/i, '');
      masksOf.set(base, [...(masksOf.get(base) ?? []), name]);
    }
  }
  const drop = new Set<string>();
  const write: CaptionWrite[] = [];
  for (const name of request.remove) {
    drop.add(name);
    for (const related of [...(captionsOf.get(stem(name)) ?? []), ...(masksOf.get(stem(name)) ?? [])]) drop.add(related);
  }
  for (const [name, text] of Object.entries(request.captions)) {
    const existing = captionsOf.get(stem(name)) ?? [];
    for (const caption of existing) drop.add(caption);
    if (text !== '') write.push({ name: existing[0] ?? `${stem(name)}.txt`, text });
  }
  return { drop, write };
}

/** The stored edit request the derive function reads: the request plus the exact source bytes it applies to. */
export interface StoredEdit extends EditRequest {
  from: number;
  /** The source version's validated zip, and the ETag it was validated with. */
  sourceKey: string;
  sourceETag?: string;
  fileName: string;
}

const enc = encodeURIComponent;
/** `edits/{owner}/{datasetId}/v{n}.json`: the edit request of version n (its ObjectCreated starts the derive). */
export const EDITS_PREFIX = 'edits/';
/** `additions/{owner}/{datasetId}/v{n}/additions.zip`: files added by an edit (outside datasets/, so the
 * validator never takes it for a version). */
export const ADDITIONS_PREFIX = 'additions/';
export const editKey = (owner: string, datasetId: string, version: number): string => `${EDITS_PREFIX}${enc(owner)}/${datasetId}/v${version}.json`;
export const additionsKey = (owner: string, datasetId: string, version: number): string => `${ADDITIONS_PREFIX}${enc(owner)}/${datasetId}/v${version}/additions.zip`;

/** The version an edit or additions object belongs to; null for any other key. */
export function parseEditObjectKey(key: string): { owner: string; datasetId: string; version: number } | null {
  const match = /^edits\/([^/]+)\/([^/]+)\/v(\d+)\.json$/.exec(key) ?? /^additions\/([^/]+)\/([^/]+)\/v(\d+)\/additions\.zip$/.exec(key);
  if (!match) return null;
  const version = Number(match[3]);
  if (!Number.isSafeInteger(version) || version < 1) return null;
  try {
    return { owner: decodeURIComponent(match[1]!), datasetId: match[2]!, version };
  } catch {
    return null;
  }
}
