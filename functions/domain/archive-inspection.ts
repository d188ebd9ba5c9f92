// Validates a dataset archive from any byte source in two steps: the central directory by ranged reads,
// then one sequential pass that hashes the whole object and decodes each entry once. Pure: the source is
// an interface (an S3 object in the handler, a buffer in tests).
import { DatasetInspection, refusedFindings, rejectedReport } from './dataset-validation';
import type { DatasetFile, Trainer, ValidationReport } from './schemas';
import { ArchiveRejected, DEFAULT_LIMITS, readDirectory, TAIL_BYTES, type ArchiveLimits } from './zip-directory';
import { SequentialReader, walkEntries } from './zip-stream';

export interface ArchiveSource {
  size: number;
  /** Bytes [start, end). */
  readRange(start: number, end: number): Promise<Buffer>;
  /** The whole object, front to back; asked for once. */
  stream(): AsyncIterable<Uint8Array>;
}

export interface Inspection {
  report: ValidationReport;
  sha256: string;
  sizeBytes: number;
  /** The manifest: every entry read whole (none when the archive could not be read at all). */
  files: DatasetFile[];
}

export async function inspectArchive(source: ArchiveSource, trainers: Trainer[], limits: ArchiveLimits = DEFAULT_LIMITS): Promise<Inspection> {
  const tailLength = Math.min(source.size, TAIL_BYTES);
  const tail = tailLength > 0 ? await source.readRange(source.size - tailLength, source.size) : Buffer.alloc(0);
  // A small archive is all tail: it is not read a second time.
  const reader = new SequentialReader(tailLength === source.size ? once(tail) : source.stream());
  try {
    let report: ValidationReport;
    let files: DatasetFile[] = [];
    try {
      if (source.size === 0) throw new ArchiveRejected('ZIP_UNREADABLE', 'The file is empty (0 bytes). Upload the zip again.');
      const directory = await readDirectory(source.size, tail, (start, end) => source.readRange(start, end), limits);
      const inspection = new DatasetInspection();
      const streamed = await walkEntries(reader, directory.entries, inspection.inspectorFor);
      report = inspection.report([...refusedFindings(directory.entries), ...streamed], trainers);
      files = inspection.manifest(report);
    } catch (error) {
      if (!(error instanceof ArchiveRejected)) throw error;
      report = rejectedReport(error.code, error.message);
    }
    const { sha256, size } = await reader.finish();
    if (size !== source.size) throw new Error(`The object changed while it was read (${size} bytes read, ${source.size} expected).`);
    return { report, sha256, sizeBytes: size, files };
  } finally {
    reader.close();
  }
}

async function* once(buffer: Buffer): AsyncIterable<Uint8Array> {
  yield buffer;
}
