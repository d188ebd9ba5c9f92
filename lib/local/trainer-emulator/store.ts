// The trainer emulator's memory across restarts: one JSON record per request under {dataDir}/requests and its
// output files under {dataDir}/files/{requestId}. A request's writes run one at a time; a write asked for
// while another waits is folded into it, since each saves the request as it is when it runs. Files go first
// and a record names only files already on disk, and records are written aside and renamed over the old one:
// a kill at any moment leaves every record whole and every file it names present.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { layoutOf, loadFile, saveFile, type FileLayout, type StoredFile } from './files';
import type { EmulatedRequest, LogLine } from './request';

export interface RequestSnapshot {
  view: EmulatedRequest;
  logs: LogLine[];
  outputFiles?: Record<string, string>;
  files: Iterable<StoredFile>;
}

interface SavedRecord {
  view: EmulatedRequest;
  logs: LogLine[];
  outputFiles?: Record<string, string>;
  files?: { name: string; contentType: string; layout?: FileLayout }[];
}

export interface LoadedRequest {
  view: EmulatedRequest;
  logs: LogLine[];
  outputFiles?: Record<string, string>;
  /** Undefined when a file the record names is missing or unreadable. */
  files: Map<string, StoredFile> | undefined;
}

interface Writes {
  chain: Promise<void>;
  folded: boolean;
  filesOnDisk: Set<string>;
}

export class EmulatorStore {
  private readonly writes = new Map<string, Writes>();

  constructor(private readonly dataDir: string) {}

  private recordsDir = () => join(this.dataDir, 'requests');
  private filesDir = (requestId: string) => join(this.dataDir, 'files', requestId);

  /** Every record that parses, with its files. A torn or unreadable record is skipped: that request is lost. */
  async loadAll(): Promise<LoadedRequest[]> {
    const names = await readdir(this.recordsDir()).catch(() => [] as string[]);
    const loaded: LoadedRequest[] = [];
    for (const name of names.filter((file) => file.endsWith('.json'))) {
      let saved: SavedRecord;
      try {
        saved = JSON.parse(await readFile(join(this.recordsDir(), name), 'utf8')) as SavedRecord;
      } catch {
        continue;
      }
      const files = await this.loadFiles(saved.view.requestId, saved.files ?? []);
      this.writes.set(saved.view.requestId, { chain: Promise.resolve(), folded: false, filesOnDisk: new Set(files?.keys()) });
      loaded.push({ view: saved.view, logs: saved.logs, files, ...(saved.outputFiles ? { outputFiles: saved.outputFiles } : {}) });
    }
    return loaded;
  }

  private async loadFiles(requestId: string, saved: NonNullable<SavedRecord['files']>): Promise<Map<string, StoredFile> | undefined> {
    try {
      const files = await Promise.all(saved.map((file) => loadFile(this.filesDir(requestId), file.name, file.contentType, file.layout)));
      return new Map(files.map((file) => [file.name, file]));
    } catch {
      return undefined;
    }
  }

  /** Saves the request as `snapshot` describes it when the write runs. */
  save(requestId: string, snapshot: () => RequestSnapshot): void {
    const writes = this.writes.get(requestId) ?? { chain: Promise.resolve(), folded: false, filesOnDisk: new Set<string>() };
    this.writes.set(requestId, writes);
    if (writes.folded) return;
    writes.folded = true;
    writes.chain = writes.chain.then(async () => {
      writes.folded = false;
      const { view, logs, outputFiles, files } = snapshot();
      const all = [...files];
      for (const file of all) {
        if (writes.filesOnDisk.has(file.name)) continue;
        await saveFile(this.filesDir(requestId), file);
        writes.filesOnDisk.add(file.name);
      }
      const record: SavedRecord = {
        view, logs, ...(outputFiles ? { outputFiles } : {}),
        files: all.filter((file) => writes.filesOnDisk.has(file.name)).map((file) => ({ name: file.name, contentType: file.contentType, layout: layoutOf(file) })),
      };
      await mkdir(this.recordsDir(), { recursive: true });
      const path = join(this.recordsDir(), `${requestId}.json`);
      await writeFile(`${path}.tmp`, JSON.stringify(record));
      await rename(`${path}.tmp`, path);
    }).catch(() => undefined);
  }

  /** Resolves once the request's writes asked for so far are on disk. */
  async durable(requestId: string): Promise<void> {
    await this.writes.get(requestId)?.chain;
  }

  async settled(): Promise<void> {
    await Promise.all([...this.writes.values()].map((writes) => writes.chain));
  }
}
