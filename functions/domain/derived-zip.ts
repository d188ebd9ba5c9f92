// A version's zip built from another's by streaming (versions made from edits): the source's central directory
// read by ranged reads, then each kept entry's raw bytes (local header, data, data descriptor) copied unchanged,
// runs of neighbouring kept entries by one read each; the additions zip's entries merged the same way (an added
// name replaces the source's); new caption files written; a fresh central directory. Only the chunk in hand and
// the two directories are held, whatever the size of the archives. Pure: the bytes come from `RangeSource`s.
import { planEdit, type EditRequest } from './dataset-edits';
import { ArchiveRejected, readDirectory, TAIL_BYTES, type DirectoryEntry } from './zip-directory';
import { ZipWriter } from './zip-writer';

export interface RangeSource {
  size: number;
  /** Bytes [start, end), whole (small reads: the directory). */
  readRange(start: number, end: number): Promise<Buffer>;
  /** Bytes [start, end) as they arrive. */
  streamRange(start: number, end: number): AsyncIterable<Uint8Array>;
}

/** An entry with where its raw bytes end (the next entry's header, or the directory). */
interface Located { entry: DirectoryEntry; end: number }

async function located(source: RangeSource): Promise<Located[]> {
  const tailLength = Math.min(source.size, TAIL_BYTES);
  const tail = tailLength > 0 ? await source.readRange(source.size - tailLength, source.size) : Buffer.alloc(0);
  const directory = await readDirectory(source.size, tail, (start, end) => source.readRange(start, end));
  const ordered = [...directory.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  return ordered.map((entry, i) => ({ entry, end: ordered[i + 1]?.localHeaderOffset ?? directory.dataEnd }));
}

export interface DeriveStats {
  copiedEntries: number;
  writtenCaptions: number;
  droppedEntries: number;
  /** Ranged reads of entry bytes (directories not counted). */
  runs: number;
}

/** Copies the kept entries of `from`, neighbours in one read. */
async function* copyKept(source: RangeSource, entries: Located[], keep: (name: string) => boolean, writer: ZipWriter, stats: DeriveStats): AsyncGenerator<Uint8Array> {
  let i = 0;
  while (i < entries.length) {
    if (!keep(entries[i]!.entry.name)) {
      stats.droppedEntries += 1;
      i += 1;
      continue;
    }
    const start = entries[i]!.entry.localHeaderOffset;
    let j = i;
    while (j + 1 < entries.length && keep(entries[j + 1]!.entry.name)) j += 1;
    for (const { entry, end } of entries.slice(i, j + 1)) writer.copied(entry, end - entry.localHeaderOffset);
    stats.copiedEntries += j + 1 - i;
    stats.runs += 1;
    const end = entries[j]!.end;
    let copied = 0;
    for await (const chunk of source.streamRange(start, end)) {
      copied += chunk.length;
      yield chunk;
    }
    if (copied !== end - start) throw new Error(`The source zip ended early (read ${copied} of ${end - start} bytes at ${start}).`);
    i = j + 1;
  }
}

/**
 * The new zip's bytes, front to back. `stats` is filled as it goes. Throws ArchiveRejected when the source
 * or the additions cannot be read as a zip.
 */
export async function* derivedZip(source: RangeSource, additions: RangeSource | null, edit: EditRequest, at: Date, stats: DeriveStats = { copiedEntries: 0, writtenCaptions: 0, droppedEntries: 0, runs: 0 }): AsyncGenerator<Uint8Array> {
  const sourceEntries = await located(source);
  const addedEntries = additions ? await located(additions).catch((error: unknown) => {
    throw error instanceof ArchiveRejected ? new ArchiveRejected(`ADDITIONS_${error.code}`, error.message) : error;
  }) : [];
  const added = new Set(addedEntries.map((e) => e.entry.name));
  const plan = planEdit(sourceEntries.map((e) => e.entry.name), edit);
  const written = new Set(plan.write.map((w) => w.name));
  const writer = new ZipWriter();
  yield* copyKept(source, sourceEntries, (name) => !plan.drop.has(name) && !added.has(name) && !written.has(name), writer, stats);
  if (additions) yield* copyKept(additions, addedEntries, (name) => !written.has(name), writer, stats);
  for (const caption of plan.write) {
    stats.writtenCaptions += 1;
    yield writer.added(caption.name, Buffer.from(caption.text, 'utf8'), at);
  }
  yield writer.finish();
}
