// The rules a dataset zip must meet, applied to its file listing. Pure: the archive is read elsewhere.
import { fitIssues } from './datasets';
import { sniffMedia, type Sniffed } from './media-sniff';
import type { Finding, Trainer, ValidationReport } from './schemas';
import type { ArchiveEntry } from './zip-archive';

/** Bytes of each media file needed to recognise it and read its size (JPEG EXIF can push SOF far in). */
export const MEDIA_HEAD_BYTES = 128 * 1024;
const SMALLEST_SIDE = 256;
const CAPTION_EXTENSIONS = ['txt', 'caption'];

const extension = (name: string) => /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
const baseName = (name: string) => name.replace(/\.[^./]+$/, '');
const isJunk = (name: string) => name.startsWith('__MACOSX/') || /(^|\/)\./.test(name) || /(^|\/)Thumbs\.db$/i.test(name);

/** How many leading bytes the validator wants from a file in the archive (0 for none). */
export const headBytesFor = (name: string): number =>
  isJunk(name) || CAPTION_EXTENSIONS.includes(extension(name)) ? 0 : MEDIA_HEAD_BYTES;

export function validateEntries(entries: ArchiveEntry[], trainers: Trainer[]): ValidationReport {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const media = new Map<string, { name: string; sniffed: Sniffed }>();
  const captions = new Map<string, ArchiveEntry>();

  for (const entry of entries) {
    if (isJunk(entry.name)) continue;
    if (CAPTION_EXTENSIONS.includes(extension(entry.name))) {
      captions.set(baseName(entry.name), entry);
      continue;
    }
    const sniffed = sniffMedia(entry.head);
    if (!sniffed) {
      warnings.push({ code: 'UNSUPPORTED_FILE', message: `${entry.name} is not a JPEG, PNG, WebP or video file and will be ignored.`, file: entry.name });
      continue;
    }
    media.set(baseName(entry.name), { name: entry.name, sniffed });
    const { width, height } = sniffed;
    if (width !== undefined && height !== undefined && Math.min(width, height) < SMALLEST_SIDE) {
      warnings.push({ code: 'IMAGE_TOO_SMALL', message: `${entry.name} is ${width}×${height}; images under ${SMALLEST_SIDE}px on a side train poorly.`, file: entry.name });
    }
  }

  let pairs = 0;
  for (const [base, caption] of captions) {
    if (!media.has(base)) {
      warnings.push({ code: 'ORPHAN_CAPTION', message: `${caption.name} has no image or video with the same name.`, file: caption.name });
    } else if (caption.size === 0) {
      warnings.push({ code: 'EMPTY_CAPTION', message: `${caption.name} is empty.`, file: caption.name });
    } else {
      pairs += 1;
    }
  }

  const all = [...media.values()];
  const images = all.filter((m) => m.sniffed.kind === 'image');
  const videos = all.length - images.length;
  if (all.length === 0) errors.push({ code: 'NO_IMAGES', message: 'The zip holds no JPEG, PNG, WebP or video files. Put your training images at any folder level of the zip.' });

  const widths = images.flatMap((m) => (m.sniffed.width ? [m.sniffed.width] : []));
  const heights = images.flatMap((m) => (m.sniffed.height ? [m.sniffed.height] : []));
  const report: ValidationReport = {
    images: images.length,
    videos,
    captions: captions.size,
    pairs,
    ...(widths.length ? { minWidth: Math.min(...widths), maxWidth: Math.max(...widths) } : {}),
    ...(heights.length ? { minHeight: Math.min(...heights), maxHeight: Math.max(...heights) } : {}),
    errors,
    warnings,
  };
  return { ...report, fitsTrainers: trainers.filter((t) => fitIssues(report, t).length === 0).map((t) => t.id) };
}

/** The report for a file that is not a zip at all. */
export function unreadableReport(message: string): ValidationReport {
  return { images: 0, videos: 0, captions: 0, pairs: 0, errors: [{ code: 'ZIP_UNREADABLE', message }], warnings: [], fitsTrainers: [] };
}
