// Reads a zip's central directory (the listing at its end) from a few ranged reads, and judges it before a
// single entry byte is read: hostile names, symlinks, encryption, zip64 fields, declared sizes and ratios.
// Pure: the bytes come from the caller's `readRange`, so the same code reads an S3 object or a buffer.

export interface ArchiveLimits {
  /** Most entries an archive may list. */
  maxEntries: number;
  /** Largest central directory read, bytes. */
  maxDirectoryBytes: number;
  /** Largest single file, uncompressed, bytes. */
  maxEntryBytes: number;
  /** Largest total of all files, uncompressed, bytes. */
  maxTotalBytes: number;
  /** Highest uncompressed/compressed ratio of an entry larger than `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxEntries: 10_000,
  maxDirectoryBytes: 16 * 1024 * 1024,
  maxEntryBytes: 2 * 1024 ** 3,
  maxTotalBytes: 8 * 1024 ** 3,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

export interface DirectoryEntry {
  /** The name as a person reads it (UTF-8, or with replacement characters when it is not UTF-8). */
  name: string;
  nameBytes: Buffer;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** MS-DOS modification time and date, as stored (kept when an entry is copied into a derived zip). */
  modTime?: number;
  modDate?: number;
  isDirectory: boolean;
  /** Why this entry must not be read; undefined when it is safe to stream. */
  refused?: { code: string; message: string };
}

export interface Finding { code: string; message: string; file?: string }

export interface Directory {
  entries: DirectoryEntry[];
  /** Where the entries' data may extend to: the central directory's start. */
  dataEnd: number;
  zip64: boolean;
}

/** The archive cannot be read at all; `code` says why (ZIP_UNREADABLE, ZIP_CD_CORRUPT, ZIP_TOO_MANY_ENTRIES, ...). */
export class ArchiveRejected extends Error {
  override readonly name = 'ArchiveRejected';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export type ReadRange = (start: number, end: number) => Promise<Buffer>;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const EOCD_SIZE = 22;
/** The end record, the longest comment and a zip64 locator. */
export const TAIL_BYTES = EOCD_SIZE + 0xffff + 20;

const NESTED = /\.(zip|rar|7z|tar|gz|tgz|bz2|xz|zst|jar|apk|cbz|iso)$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

const u64 = (b: Buffer, at: number): number => {
  const value = b.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArchiveRejected('ZIP_CD_CORRUPT', 'The zip declares a size beyond any real file; it is damaged or hostile.');
  return Number(value);
};

/**
 * Reads and checks the central directory. `tail` is the archive's last min(size, TAIL_BYTES) bytes, already
 * read; `readRange` fetches anything else (the zip64 record, a directory that starts before the tail).
 */
export async function readDirectory(size: number, tail: Buffer, readRange: ReadRange, limits: ArchiveLimits = DEFAULT_LIMITS): Promise<Directory> {
  const tailStart = size - tail.length;
  const at = findEndRecord(tail);
  if (at < 0) throw new ArchiveRejected('ZIP_UNREADABLE', 'The file is not a zip archive (it has no zip directory at its end); it may be truncated or another format renamed to .zip.');
  const eocdOffset = tailStart + at;
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) {
    throw new ArchiveRejected('ZIP_SPANNED', 'The zip is split across several files (a spanned archive). Make one single .zip.');
  }
  let count = tail.readUInt16LE(at + 10);
  let dirSize = tail.readUInt32LE(at + 12);
  let dirOffset = tail.readUInt32LE(at + 16);
  let dirEnd = eocdOffset;
  let zip64 = false;

  const locatorAt = at - 20;
  if (locatorAt >= 0 && tail.readUInt32LE(locatorAt) === ZIP64_LOCATOR) {
    zip64 = true;
    const recordOffset = u64(tail, locatorAt + 8);
    if (recordOffset + 56 > tailStart + locatorAt) throw new ArchiveRejected('ZIP_CD_CORRUPT', 'The zip64 end record points outside the archive; the zip is damaged.');
    const record = recordOffset >= tailStart ? tail.subarray(recordOffset - tailStart, recordOffset - tailStart + 56) : await readRange(recordOffset, recordOffset + 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD) throw new ArchiveRejected('ZIP_CD_CORRUPT', 'The zip64 end record is missing or damaged.');
    count = u64(record, 32);
    dirSize = u64(record, 40);
    dirOffset = u64(record, 48);
    dirEnd = recordOffset;
  } else if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    throw new ArchiveRejected('ZIP_CD_CORRUPT', 'The zip says it is a zip64 archive but has no zip64 end record; it is damaged.');
  }

  if (count > limits.maxEntries) throw new ArchiveRejected('ZIP_TOO_MANY_ENTRIES', `The zip lists ${count} files; at most ${limits.maxEntries} are accepted. Split the dataset.`);
  if (dirOffset + dirSize > dirEnd) throw new ArchiveRejected('ZIP_CD_CORRUPT', 'The zip directory runs past the end of the archive; the file is truncated or damaged.');
  if (dirSize > limits.maxDirectoryBytes) throw new ArchiveRejected('ZIP_CD_CORRUPT', `The zip directory is ${dirSize} bytes, more than a dataset listing needs; the file is damaged or hostile.`);
  if (count > 0 && dirSize < count * 46) throw new ArchiveRejected('ZIP_CD_CORRUPT', `The zip directory is too short for the ${count} files it claims; the archive is damaged.`);

  const dir = dirOffset >= tailStart ? tail.subarray(dirOffset - tailStart, dirOffset - tailStart + dirSize) : await readRange(dirOffset, dirOffset + dirSize);
  if (dir.length !== dirSize) throw new ArchiveRejected('ZIP_TRUNCATED', 'The zip directory could not be read whole; the upload is truncated.');
  const entries = parseEntries(dir, count, dirOffset, limits);
  checkLayout(entries, dirOffset, limits);
  return { entries, dataEnd: dirOffset, zip64 };
}

function findEndRecord(tail: Buffer): number {
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    // The comment length must reach exactly to the end: a signature inside a comment is not the record.
    if (tail.readUInt32LE(i) === EOCD && i + EOCD_SIZE + tail.readUInt16LE(i + 20) === tail.length) return i;
  }
  return -1;
}

function parseEntries(dir: Buffer, count: number, dirOffset: number, limits: ArchiveLimits): DirectoryEntry[] {
  const entries: DirectoryEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > dir.length || dir.readUInt32LE(at) !== CENTRAL) {
      throw new ArchiveRejected('ZIP_CD_CORRUPT', `The zip directory is damaged at file ${i + 1} of ${count}.`);
    }
    const header = readCentralHeader(dir, at);
    const { madeBy, flags, method, crc32, nameLength, extraLength, commentLength, diskStart, externalAttributes, modTime, modDate } = header;
    let { compressedSize, uncompressedSize, localHeaderOffset } = header;
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > dir.length) throw new ArchiveRejected('ZIP_CD_CORRUPT', `The zip directory is damaged at file ${i + 1} of ${count}.`);
    const nameBytes = Buffer.from(dir.subarray(at + 46, at + 46 + nameLength));
    const extra = dir.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);

    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff || diskStart === 0xffff) {
      const z = zip64Extra(extra);
      if (!z) throw new ArchiveRejected('ZIP_CD_CORRUPT', `File ${i + 1} declares zip64 sizes without the zip64 field; the archive is damaged.`);
      let p = 0;
      const next = () => {
        if (p + 8 > z.length) throw new ArchiveRejected('ZIP_CD_CORRUPT', `File ${i + 1} has a short zip64 field; the archive is damaged.`);
        const value = u64(z, p);
        p += 8;
        return value;
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = next();
      if (compressedSize === 0xffffffff) compressedSize = next();
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
    }

    let name: string;
    let refused: DirectoryEntry['refused'];
    try {
      name = utf8.decode(nameBytes);
    } catch {
      name = lossy.decode(nameBytes);
      refused = { code: 'NAME_NOT_UTF8', message: `A file name is not valid UTF-8 (${JSON.stringify(name)}). Re-create the zip with a tool that stores UTF-8 names.` };
    }
    const isDirectory = name.endsWith('/') && uncompressedSize === 0;
    refused ??= judgeEntry(name, madeBy, flags, method, externalAttributes, compressedSize, uncompressedSize, limits);
    if (localHeaderOffset + 30 > dirOffset) throw new ArchiveRejected('ZIP_CD_CORRUPT', `${name} points outside the archive's data; the zip is damaged.`);
    entries.push({ name, nameBytes, flags, method, crc32, compressedSize, uncompressedSize, localHeaderOffset, modTime, modDate, isDirectory, ...(refused ? { refused } : {}) });
    at = end;
  }
  return entries;
}

/** The fixed fields of a central directory header: offset from its signature, and width in bytes. */
const CENTRAL_HEADER = {
  madeBy: [4, 2], flags: [8, 2], method: [10, 2], modTime: [12, 2], modDate: [14, 2], crc32: [16, 4], compressedSize: [20, 4], uncompressedSize: [24, 4],
  nameLength: [28, 2], extraLength: [30, 2], commentLength: [32, 2], diskStart: [34, 2], externalAttributes: [38, 4],
  localHeaderOffset: [42, 4],
} as const;

function readCentralHeader(dir: Buffer, at: number): Record<keyof typeof CENTRAL_HEADER, number> {
  const fields = Object.entries(CENTRAL_HEADER).map(([field, [offset, width]]) => [field, dir.readUIntLE(at + offset, width)]);
  return Object.fromEntries(fields) as Record<keyof typeof CENTRAL_HEADER, number>;
}

function zip64Extra(extra: Buffer): Buffer | null {
  for (let p = 0; p + 4 <= extra.length;) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) return extra.subarray(p + 4, p + 4 + length);
    p += 4 + length;
  }
  return null;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function judgeEntry(name: string, madeBy: number, flags: number, method: number, external: number, compressed: number, uncompressed: number, limits: ArchiveLimits): DirectoryEntry['refused'] {
  if (name.includes('\0') || name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
    return { code: 'UNSAFE_PATH', message: `${name} has an absolute path; an archive entry must stay inside the dataset.` };
  }
  if (name.includes('\\')) return { code: 'UNSAFE_PATH', message: `${name} uses backslashes in its path; zip paths use "/" (the archive was made by a broken tool or is hostile).` };
  if (name.split('/').some((part) => part === '..')) return { code: 'UNSAFE_PATH', message: `${name} climbs out of the archive with "..": it is refused, never followed.` };
  const host = madeBy >> 8;
  if ((host === 3 || host === 19) && ((external >>> 16) & S_IFMT) === S_IFLNK) {
    return { code: 'SYMLINK_ENTRY', message: `${name} is a symbolic link; links are refused, never followed. Zip the files themselves.` };
  }
  if (flags & 0x41) return { code: 'ENCRYPTED_ENTRY', message: `${name} is encrypted; upload a zip without a password.` };
  if (name.endsWith('/')) return uncompressed > 0 ? { code: 'ZIP_CD_CORRUPT', message: `${name} is a folder that claims ${uncompressed} bytes of content.` } : undefined;
  if (NESTED.test(name)) return { code: 'NESTED_ARCHIVE', message: `${name} is an archive inside the archive; put its files in the dataset zip directly.` };
  if (method !== 0 && method !== 8) return { code: 'UNSUPPORTED_COMPRESSION', message: `${name} uses compression method ${method}; re-create the zip with standard (deflate) compression.` };
  if (method === 0 && compressed !== uncompressed) return { code: 'ENTRY_SIZE_MISMATCH', message: `${name} is stored uncompressed but declares two different sizes; the archive is damaged or hostile.` };
  if (uncompressed > limits.maxEntryBytes) return { code: 'ZIP_BOMB', message: `${name} would expand to ${uncompressed} bytes, more than the ${limits.maxEntryBytes}-byte limit for one file.` };
  if (uncompressed > limits.ratioFloorBytes && uncompressed > compressed * limits.maxRatio) {
    return { code: 'ZIP_BOMB', message: `${name} expands ${Math.round(uncompressed / Math.max(1, compressed))}× (${compressed} → ${uncompressed} bytes); images and captions never compress past ${limits.maxRatio}×, so this is refused as a zip bomb.` };
  }
  return undefined;
}

/** Whole-archive rules: total size, overlapping entries (the "overlapping files" bomb), duplicate names. */
function checkLayout(entries: DirectoryEntry[], dataEnd: number, limits: ArchiveLimits): void {
  const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (total > limits.maxTotalBytes) {
    throw new ArchiveRejected('ZIP_BOMB', `The files would expand to ${total} bytes in total, more than the ${limits.maxTotalBytes}-byte limit; the zip is refused as a zip bomb.`);
  }
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const entry = byOffset[i]!;
    const minimalEnd = entry.localHeaderOffset + 30 + entry.nameBytes.length + entry.compressedSize;
    const next = byOffset[i + 1]?.localHeaderOffset ?? dataEnd;
    if (minimalEnd > next) {
      throw new ArchiveRejected(i + 1 < byOffset.length ? 'ZIP_OVERLAPPING_ENTRIES' : 'ZIP_TRUNCATED', i + 1 < byOffset.length
        ? `${entry.name} overlaps ${byOffset[i + 1]!.name} in the archive: files that share bytes are a zip-bomb technique and are refused.`
        : `${entry.name} runs past the end of the archive's data; the zip is truncated or damaged.`);
    }
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name) && !entry.refused) entry.refused = { code: 'DUPLICATE_ENTRY', message: `${entry.name} appears twice in the archive; which copy a tool extracts is undefined.` };
    seen.add(entry.name);
  }
}
