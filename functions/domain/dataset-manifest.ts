// The manifest of a dataset version: every entry the validator read whole, as `DatasetFile`s (kind, size,
// dimensions, sha256 of its content, its caption, its findings, and where its bytes sit in the zip). Built from
// what the validator's one streaming pass kept of each entry; nothing here reads the archive again.
import { VALIDATED_PREFIX } from './datasets';
import { sniffMedia } from './media-sniff';
import type { DatasetFile, DatasetFileKind, Finding, ValidationReport } from './schemas';
import type { DirectoryEntry } from './zip-directory';

const CAPTION_EXTENSIONS = new Set(['txt', 'caption']);
const extension = (name: string) => /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
const stem = (name: string) => name.replace(/\.[^./]+$/, '');

/** One entry read whole during the pass (size and CRC checked). `head` is what the validator kept of it: a
 * caption's bytes (up to its limit), a media file's header summary; absent for ignored (system) files. */
export interface ReadEntry {
  entry: DirectoryEntry;
  dataOffset: number;
  contentHash: string;
  head?: Buffer;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function captionText(read: ReadEntry): string | undefined {
  if (!read.head || read.head.length !== read.entry.uncompressedSize) return undefined; // too long to keep whole
  try {
    return utf8.decode(read.head);
  } catch {
    return undefined;
  }
}

/** The files of a version, in archive order. Captions pair with the media file of the same name (and
 * ROOT.txt with ROOT_start / ROOT_end); findings are the report's that name the file. */
export function buildManifest(entries: readonly ReadEntry[], report: ValidationReport): DatasetFile[] {
  const findings = new Map<string, Finding[]>();
  for (const finding of [...report.errors, ...report.warnings]) {
    if (finding.file === undefined) continue;
    const list = findings.get(finding.file) ?? [];
    list.push(finding);
    findings.set(finding.file, list);
  }
  const captions = new Map<string, { name: string; text?: string }>();
  for (const read of entries) {
    if (read.head && CAPTION_EXTENSIONS.has(extension(read.entry.name))) captions.set(stem(read.entry.name), { name: read.entry.name, text: captionText(read) });
  }
  const ordered = [...entries].sort((a, b) => a.entry.localHeaderOffset - b.entry.localHeaderOffset);
  return ordered.map((read): DatasetFile => {
    const { entry } = read;
    const isCaption = Boolean(read.head) && CAPTION_EXTENSIONS.has(extension(entry.name));
    const sniffed = read.head && !isCaption && entry.uncompressedSize > 0 ? sniffMedia(read.head) : null;
    let kind: DatasetFileKind = 'other';
    if (isCaption) kind = 'caption';
    else if (sniffed) kind = /_mask$/i.test(stem(entry.name)) ? 'mask' : sniffed.kind;
    const base = stem(entry.name);
    const paired = kind === 'image' || kind === 'video'
      ? captions.get(base) ?? captions.get(base.replace(/_(start|end)$/i, ''))
      : undefined;
    const caption = isCaption ? captions.get(base)?.text : paired?.text;
    return {
      name: entry.name,
      kind,
      sizeBytes: entry.uncompressedSize,
      ...(sniffed?.width !== undefined && sniffed.height !== undefined ? { width: sniffed.width, height: sniffed.height } : {}),
      contentHash: read.contentHash,
      ...(caption !== undefined ? { caption } : {}),
      ...(paired ? { captionFile: paired.name } : {}),
      findings: findings.get(entry.name) ?? [],
      zip: {
        headerOffset: entry.localHeaderOffset,
        dataOffset: read.dataOffset,
        compressedSize: entry.compressedSize,
        method: entry.method === 0 ? 'stored' : 'deflated',
        crc32: entry.crc32,
      },
    };
  });
}

/** Manifests live beside the versions in the datasets bucket; only the validator writes them. */
export const MANIFEST_PREFIX = 'manifests/';

/** `manifests/{owner, URI-encoded}/{datasetId}/v{version}.json.gz`: `{"files": [DatasetFile]}`, gzipped. */
export function manifestKey(owner: string, datasetId: string, version: number): string {
  return `${MANIFEST_PREFIX}${encodeURIComponent(owner)}/${datasetId}/v${version}.json.gz`;
}

/** Where a decided version's bytes may be: its validated copy, or (INVALID) its upload, presigned or direct. */
export const VERSION_BYTES_PREFIXES = [VALIDATED_PREFIX, 'datasets/', 'incoming/'] as const;
