// What a completed training leaves to fetch: its output (with file URLs at the server's current address) and
// its files, until the resultExpiresAfterMs fault expires them.
import type { EmulatorCall } from './faults';
import { fileSize, type StoredFile } from './files';
import type { Entry } from './request';
import type { RequestBook } from './request-book';

export class EmulatorResults {
  /** `filesUrl`: the base URL the files are served under, {filesUrl}/{requestId}/{name}. */
  constructor(private readonly requests: RequestBook, private readonly filesUrl: () => string) {}

  /** True when the result (and its files) of a completed request has expired (the resultExpiresAfterMs fault). */
  resultExpired(requestId: string, call: EmulatorCall): boolean {
    const entry = this.requests.entry(requestId);
    const after = entry?.view.faults.resultExpiresAfterMs;
    if (!entry || after === undefined || !entry.view.finishedAt) return false;
    if (Date.now() - Date.parse(entry.view.finishedAt) < after) return false;
    this.requests.applied(entry, { fault: 'result-expired', call, detail: `answered ${entry.view.faults.resultExpiredStatus ?? 404}` });
    return true;
  }

  /** The trainer output of a completed request; file URLs use the server's current address. */
  output(requestId: string): Record<string, unknown> | undefined {
    const entry = this.requests.entry(requestId);
    if (!entry?.outputFiles) return undefined;
    return Object.fromEntries(Object.entries(entry.outputFiles).map(([field, name]) => [field, this.fileRef(entry, name)]));
  }

  /** URL of a produced file. */
  fileUrl(requestId: string, name: string): string {
    return `${this.filesUrl()}/${requestId}/${encodeURIComponent(name)}`;
  }

  file(requestId: string, name: string): StoredFile | undefined {
    return this.requests.entry(requestId)?.files.get(name);
  }

  /** Records that a file is being served slowly. */
  noteSlowDownload(requestId: string, kbps: number): void {
    const entry = this.requests.entry(requestId);
    if (entry) this.requests.applied(entry, { fault: 'slow-download', call: 'file', detail: `${kbps} KB/s` });
  }

  private fileRef(entry: Entry, name: string) {
    const file = entry.files.get(name)!;
    return { url: this.fileUrl(entry.view.requestId, name), content_type: file.contentType, file_name: name, file_size: fileSize(file) };
  }
}
