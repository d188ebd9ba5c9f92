// The rules a dataset zip must meet. The archive is read elsewhere (zip-directory, zip-stream); this file
// decides what to keep of each entry while it streams by, then judges the whole and writes the report.
import { createHash } from 'node:crypto';
import { emptyCaption, missingCaption } from './caption-findings';
import { buildManifest, type ReadEntry } from './dataset-manifest';
import { fitIssues } from './datasets';
import { imageIntegrity, sniffMedia, sniffOther, type Sniffed } from './media-sniff';
import type { DatasetFile, Finding, Trainer, ValidationReport } from './schemas';
import type { DirectoryEntry } from './zip-directory';
import type { EntryInspector } from './zip-stream';

/** Bytes of each media file kept to recognise it and read its size (JPEG EXIF can push SOF far in). */
export const MEDIA_HEAD_BYTES = 128 * 1024;
const TAIL_BYTES = 64;
/** Under this many pixels on the shorter side an image is refused; under RECOMMENDED_SIDE it is warned. */
export const MIN_SIDE = 64;
export const RECOMMENDED_SIDE = 256;
export const MAX_CAPTION_CHARS = 2000;
const MAX_CAPTION_BYTES = MAX_CAPTION_CHARS * 4;
/** Findings kept per code; the rest are counted in one summary finding, so a report stays small. */
const FINDINGS_PER_CODE = 25;

export const CAPTION_EXTENSIONS = ['txt', 'caption'];
export const MEDIA_EXTENSIONS: Record<string, Sniffed['format']> = {
  jpg: 'jpg', jpeg: 'jpg', png: 'png', webp: 'webp', mp4: 'mp4', m4v: 'mp4', mov: 'mov', webm: 'webm', avi: 'avi',
};

const extension = (name: string) => /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
const stem = (name: string) => name.replace(/\.[^./]+$/, '');
const baseOf = (name: string) => name.split('/').pop() ?? name;

/** macOS resource forks, Finder and Explorer metadata, and hidden files: never training data. */
export const isJunk = (name: string) =>
  name.startsWith('__MACOSX/') || name.split('/').some((part) => part.startsWith('.')) || /^(thumbs\.db|desktop\.ini)$/i.test(baseOf(name));

/** What the rules keep of one entry once it was read whole: its first bytes (media) or its text (caption). */
interface Kept {
  entry: DirectoryEntry;
  head: Buffer;
  tail: Buffer;
}

/**
 * Collects what the rules need from each entry during the one streaming pass. Only the entry in hand holds a
 * buffer (its first bytes and last few); a finished media entry keeps MEDIA_SUMMARY_BYTES, so memory does not
 * grow with the number of files beyond a small fixed amount each.
 */
export class DatasetInspection {
  private readonly kept: Kept[] = [];
  readonly junk: DirectoryEntry[] = [];
  /** Every entry read whole, for the manifest: where its data starts and the sha256 of its content. */
  private readonly read: ReadEntry[] = [];

  inspectorFor = (entry: DirectoryEntry, dataOffset = 0): EntryInspector | null => {
    const hash = createHash('sha256');
    const read = this.read;
    if (isJunk(entry.name)) {
      this.junk.push(entry);
      return {
        update(chunk) { hash.update(chunk); },
        finish() { read.push({ entry, dataOffset, contentHash: hash.digest('hex') }); },
      };
    }
    const caption = CAPTION_EXTENSIONS.includes(extension(entry.name));
    const limit = caption ? MAX_CAPTION_BYTES + 1 : MEDIA_HEAD_BYTES;
    const head = Buffer.allocUnsafe(Math.min(limit, entry.uncompressedSize));
    let headLength = 0;
    let tail = Buffer.alloc(0);
    const kept = this.kept;
    return {
      update(chunk) {
        hash.update(chunk);
        if (headLength < head.length) headLength += chunk.copy(head, headLength, 0, Math.min(chunk.length, head.length - headLength));
        tail = chunk.length >= TAIL_BYTES ? Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES)) : Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES);
      },
      finish() {
        // Keep only what judging needs: a caption's bytes, a media file's header (dimensions, magic) and tail.
        const keep = caption ? head.subarray(0, headLength) : Buffer.from(summaryOf(head.subarray(0, headLength)));
        kept.push({ entry, head: keep, tail });
        read.push({ entry, dataOffset, contentHash: hash.digest('hex'), head: keep });
      },
    };
  };

  /** Judges what was read. `findings` are the archive-level ones found while reading. */
  report(findings: Finding[], trainers: Trainer[]): ValidationReport {
    return judge(this.kept, this.junk, findings, trainers);
  }

  /** The version's files (dataset-manifest.ts), with the findings of `report` that name them. */
  manifest(report: ValidationReport): DatasetFile[] {
    return buildManifest(this.read, report);
  }
}

/** Enough of a media header to recognise it, read its size and judge its integrity (JPEG: up to its frame header). */
const MEDIA_SUMMARY_BYTES = 512;
function summaryOf(head: Buffer): Buffer {
  const sniffed = sniffMedia(head);
  if (sniffed?.format !== 'jpg' || !sniffed.width) return head.subarray(0, Math.min(head.length, MEDIA_SUMMARY_BYTES));
  // A JPEG's size sits in its frame header, possibly far in (EXIF): rebuild a tiny JPEG head carrying it.
  const frame = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, sniffed.height! >> 8, sniffed.height! & 0xff, sniffed.width >> 8, sniffed.width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
  return frame;
}

interface Media {
  name: string;
  sniffed: Sniffed;
  size: number;
  crc: number;
}

function judge(files: Kept[], junk: DirectoryEntry[], archiveFindings: Finding[], trainers: Trainer[]): ValidationReport {
  const out = new FindingList();
  for (const f of archiveFindings) out.error(f.code, f.message, f.file);
  for (const j of junk.slice(0, 5)) out.warn('JUNK_IGNORED', `${j.name} is system or hidden metadata and will be ignored.`, j.name);
  if (junk.length > 5) out.warn('JUNK_IGNORED', `${junk.length - 5} more system or hidden files (__MACOSX, .DS_Store, Thumbs.db, dot-files) will be ignored.`);

  const media = new Map<string, Media>();
  const masks: Media[] = [];
  const captions = new Map<string, { name: string; text?: string }>();
  let triggerPlaceholders = 0;

  for (const file of files) {
    const { name, uncompressedSize: size } = file.entry;
    const ext = extension(name);
    const head = file.head;
    if (CAPTION_EXTENSIONS.includes(ext)) {
      const text = readCaption(head, size, name, out);
      captions.set(stem(name), { name, ...(text === undefined ? {} : { text }) });
      if (text?.includes('[trigger]')) triggerPlaceholders += 1;
      continue;
    }
    const claimed = MEDIA_EXTENSIONS[ext];
    if (size === 0) {
      if (claimed) out.error('EMPTY_FILE', `${name} is empty (0 bytes); remove it or export it again.`, name);
      else out.warn('EMPTY_FILE', `${name} is empty (0 bytes) and will be ignored.`, name);
      continue;
    }
    const sniffed = sniffMedia(head);
    if (!sniffed) {
      const other = sniffOther(head);
      if (other?.archive) out.error('NESTED_ARCHIVE', `${name} is ${other.label} inside the archive; put its files in the dataset zip directly.`, name);
      else if (claimed) out.error('NOT_AN_IMAGE', `${name} is named like a ${claimed.toUpperCase()} but its bytes are ${other?.label ?? 'not an image or video'}.`, name);
      else out.warn('UNSUPPORTED_FILE', `${name} is ${other?.label ?? 'not a JPEG, PNG, WebP or video file'} and will be ignored.`, name);
      continue;
    }
    if (claimed && claimed !== sniffed.format) {
      out.warn('EXTENSION_MISMATCH', `${name} is named .${ext} but is really a ${sniffed.format.toUpperCase()}; rename it so every tool reads it the same way.`, name);
    } else if (!claimed) {
      out.warn('EXTENSION_MISMATCH', `${name} has no media extension but is a ${sniffed.format.toUpperCase()}; it is counted, but rename it to .${sniffed.format}.`, name);
    }
    const broken = imageIntegrity(sniffed, head, file.tail, size);
    if (broken) {
      out.error(broken.code, `${name} cannot be used: ${broken.why}${broken.code === 'IMAGE_TRUNCATED' ? ' (the file is cut short)' : ''}.`, name);
      continue;
    }
    const { width, height } = sniffed;
    if (width !== undefined && height !== undefined) {
      const side = Math.min(width, height);
      if (side < MIN_SIDE) out.error('IMAGE_TOO_SMALL', `${name} is ${width}×${height}; images need at least ${MIN_SIDE}px on the shorter side.`, name);
      else if (side < RECOMMENDED_SIDE) out.warn('IMAGE_SMALL', `${name} is ${width}×${height}; images under ${RECOMMENDED_SIDE}px on a side train poorly.`, name);
    }
    const item = { name, sniffed, size, crc: file.entry.crc32 };
    if (/_mask$/i.test(stem(name))) masks.push(item);
    else media.set(stem(name), item);
  }

  // Duplicates: same size and same verified CRC-32 (each entry's CRC was checked against its bytes).
  const byContent = new Map<string, string>();
  let duplicates = 0;
  for (const m of media.values()) {
    const key = `${m.size}:${m.crc}`;
    const first = byContent.get(key);
    if (first) {
      duplicates += 1;
      out.warn('DUPLICATE_IMAGE', `${m.name} has the same content as ${first}; duplicates weigh one picture twice.`, m.name);
    } else byContent.set(key, m.name);
  }

  for (const mask of masks) {
    if (!media.has(stem(mask.name).replace(/_mask$/i, ''))) out.warn('MASK_WITHOUT_IMAGE', `${mask.name} is a mask with no image of the same name.`, mask.name);
  }

  // Start/end pairs (edit trainers): ROOT_start.EXT with ROOT_end.EXT, captioned by ROOT.txt.
  const editRoots = new Set<string>();
  for (const base of media.keys()) {
    const start = /^(.*)_start$/i.exec(base)?.[1];
    const end = /^(.*)_end$/i.exec(base)?.[1];
    if (start !== undefined) {
      if ([...media.keys()].some((k) => k.toLowerCase() === `${start}_end`.toLowerCase())) editRoots.add(start);
      else out.warn('UNPAIRED_EDIT_IMAGE', `${media.get(base)!.name} has no matching ${baseOf(start)}_end image.`, media.get(base)!.name);
    } else if (end !== undefined && ![...media.keys()].some((k) => k.toLowerCase() === `${end}_start`.toLowerCase())) {
      out.warn('UNPAIRED_EDIT_IMAGE', `${media.get(base)!.name} has no matching ${baseOf(end)}_start image.`, media.get(base)!.name);
    }
  }

  let pairs = 0;
  for (const [base, caption] of captions) {
    if (!media.has(base) && !editRoots.has(base)) {
      out.warn('ORPHAN_CAPTION', `${caption.name} has no image or video with the same name.`, caption.name);
    } else if (caption.text !== undefined && caption.text.trim() === '') {
      out.warning(emptyCaption(caption.name));
    } else if (caption.text !== undefined) {
      pairs += 1;
    }
  }
  const editMembers = new Set([...editRoots].flatMap((r) => [`${r}_start`, `${r}_end`].map((s) => s.toLowerCase())));
  if (captions.size > 0) {
    for (const [base, m] of media) {
      if (captions.has(base) || editMembers.has(base.toLowerCase())) continue;
      out.warning(missingCaption(m.name, base));
    }
  }

  const all = [...media.values()];
  const images = all.filter((m) => m.sniffed.kind === 'image');
  const videos = all.length - images.length;
  if (all.length === 0) out.error('NO_IMAGES', 'The zip holds no JPEG, PNG, WebP or video files. Put your training images at any folder level of the zip.');

  const widths = images.flatMap((m) => (m.sniffed.width ? [m.sniffed.width] : []));
  const heights = images.flatMap((m) => (m.sniffed.height ? [m.sniffed.height] : []));
  const report: ValidationReport = {
    images: images.length,
    videos,
    captions: captions.size,
    pairs,
    ...(widths.length ? { minWidth: Math.min(...widths), maxWidth: Math.max(...widths) } : {}),
    ...(heights.length ? { minHeight: Math.min(...heights), maxHeight: Math.max(...heights) } : {}),
    masks: masks.length,
    editPairs: editRoots.size,
    duplicates,
    triggerPlaceholders,
    ignored: junk.length,
    errors: out.errors(),
    warnings: out.warnings(),
  };
  const fitsTrainers = trainers.filter((t) => fitIssues(report, t).length === 0).map((t) => t.id);
  if (report.errors.length === 0 && fitsTrainers.length === 0 && trainers.length > 0) {
    report.warnings.push({ code: 'FITS_NO_TRAINER', message: `No trainer accepts this dataset as it is: ${fitIssues(report, trainers[0]!).join('; ')}. See each trainer's rules.` });
  }
  return { ...report, fitsTrainers };
}

function readCaption(head: Buffer, size: number, name: string, out: FindingList): string | undefined {
  if (size > MAX_CAPTION_BYTES) {
    out.warn('CAPTION_TOO_LONG', `${name} is ${size} bytes; captions over ${MAX_CAPTION_CHARS} characters are cut by every trainer.`, name);
    return 'long';
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    out.error('CAPTION_NOT_UTF8', `${name} is not UTF-8 text; save it as UTF-8.`, name);
    return undefined;
  }
  if (text.length > MAX_CAPTION_CHARS) out.warn('CAPTION_TOO_LONG', `${name} has ${text.length} characters; captions over ${MAX_CAPTION_CHARS} are cut by every trainer.`, name);
  return text;
}

class FindingList {
  private readonly lists = { errors: [] as Finding[], warnings: [] as Finding[] };
  private readonly counts = new Map<string, number>();

  error(code: string, message: string, file?: string) { this.add('errors', code, message, file); }
  warn(code: string, message: string, file?: string) { this.add('warnings', code, message, file); }
  warning(finding: Finding) { this.add('warnings', finding.code, finding.message, finding.file); }

  private add(list: 'errors' | 'warnings', code: string, message: string, file?: string) {
    const n = (this.counts.get(`${list}:${code}`) ?? 0) + 1;
    this.counts.set(`${list}:${code}`, n);
    if (n <= FINDINGS_PER_CODE) this.lists[list].push({ code, message, ...(file ? { file } : {}) });
  }

  private summarised(list: 'errors' | 'warnings'): Finding[] {
    const extra = [...this.counts].filter(([k, n]) => k.startsWith(`${list}:`) && n > FINDINGS_PER_CODE)
      .map(([k, n]) => ({ code: k.slice(list.length + 1), message: `…and ${n - FINDINGS_PER_CODE} more like this.` }));
    return [...this.lists[list], ...extra];
  }

  errors() { return this.summarised('errors'); }
  warnings() { return this.summarised('warnings'); }
}

/** The report for an archive refused before any entry was read (not a zip, damaged directory, bomb, ...). */
export function rejectedReport(code: string, message: string): ValidationReport {
  return { images: 0, videos: 0, captions: 0, pairs: 0, errors: [{ code, message }], warnings: [], fitsTrainers: [] };
}

/** Refused entries of a readable archive, as error findings. */
export const refusedFindings = (entries: DirectoryEntry[]): Finding[] =>
  entries.flatMap((e) => (e.refused ? [{ code: e.refused.code, message: e.refused.message, file: e.name }] : []));
