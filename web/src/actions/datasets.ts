import type { Dataset, DatasetVersion, ServerMessage } from '#domain/schemas';
import { formatLimit, MAX_UPLOAD_BYTES } from '#domain/upload-limit';
import { ApiError, uploadToPresignedPost } from '#web/api';
import { waitsForReview } from '#web/editor-rules';
import { packageFiles } from '#web/package-files';
import type { State } from '#web/state';
import { isZipName, previewZip } from '#web/zip-preview';
import { type ActionContext, message } from './context';

const SETTLED: DatasetVersion['status'][] = ['READY', 'INVALID'];

/** Choosing a dataset, uploading a new version, and following its validation. */
export class DatasetActions {
  private datasetPoll: ReturnType<typeof setTimeout> | undefined;
  private abortUpload: (() => void) | null = null;

  constructor(private readonly ctx: ActionContext) {}

  async loadDatasets(): Promise<void> {
    try {
      const datasets = await this.ctx.api.listDatasets();
      datasets.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
      this.ctx.store.set({ datasets });
    } catch {
      // The list is a convenience; uploading still works without it.
    }
  }

  /** Pick an existing dataset (its latest version, or the one asked for) to train on, or clear the choice with null. */
  async chooseDataset(id: string | null, version?: number): Promise<void> {
    clearTimeout(this.datasetPoll);
    if (!id) {
      this.ctx.store.set({ dataset: null, upload: { phase: 'idle', fraction: 0 } });
      return;
    }
    const known = this.ctx.store.get().datasets.find((d) => d.id === id);
    this.ctx.store.set({ dataset: { id, name: known?.name ?? id, version: null }, upload: { phase: 'idle', fraction: 0 }, serverErrors: {} });
    await this.refreshDataset(version);
  }

  /** Files picked or dropped: loose images and captions wait as a pick (reviewed in the editor, or uploaded as they
   * are); a .zip goes up at once. */
  pickFiles(files: File[]): Promise<void> {
    if (!waitsForReview(files)) return this.uploadFiles(files);
    this.ctx.store.set({ picked: files, upload: { phase: 'idle', fraction: 0 }, serverErrors: {}, formError: null });
    return Promise.resolve();
  }

  /** The pick goes up: as picked, or as the editor left it (edited captions, removed images left out). */
  uploadPicked(files: File[] | null = this.ctx.store.get().picked): Promise<void> {
    this.ctx.store.set({ picked: null });
    return files?.length ? this.uploadFiles(files) : Promise.resolve();
  }

  dropPick(): void {
    this.ctx.store.set({ picked: null });
  }

  /** One .zip goes up as it is; loose images and captions are packaged into one zip first. */
  async uploadFiles(files: File[]): Promise<void> {
    const { store } = this.ctx;
    if (files.length === 1 && isZipName(files[0]!.name)) return this.uploadFile(files[0]!);
    store.set({ upload: { phase: 'uploading', fraction: 0, fileName: `Packaging ${files.length} files…` }, serverErrors: {} });
    const packaged = await packageFiles(files, (fraction) => this.patchUpload({ fraction }));
    if ('error' in packaged) {
      store.set({ upload: { phase: 'failed', fraction: 0, fileName: `${files.length} files`, error: packaged.error } });
      return;
    }
    await this.uploadFile(packaged.zip);
    if (packaged.skipped.length && store.get().upload.phase !== 'failed') {
      store.set({ formError: `Left out ${packaged.skipped.length} file(s) that are not images or captions: ${packaged.skipped.slice(0, 5).join(', ')}${packaged.skipped.length > 5 ? '…' : ''}` });
    }
  }

  /** Check the file, create the dataset (or a new version of the chosen one), send it with progress. */
  async uploadFile(file: File): Promise<void> {
    const { store, api } = this.ctx;
    const problem = checkFile(file);
    if (problem) {
      store.set({ upload: { phase: 'failed', fraction: 0, fileName: file.name, sizeBytes: file.size, error: problem } });
      return;
    }
    clearTimeout(this.datasetPoll);
    store.set({ upload: { phase: 'uploading', fraction: 0, fileName: file.name, sizeBytes: file.size }, serverErrors: {} });
    const preview = await previewZip(file).catch(() => null);
    if (!preview) {
      store.set({ upload: { phase: 'failed', fraction: 0, fileName: file.name, sizeBytes: file.size, error: 'This file is not a readable .zip archive.' } });
      return;
    }
    this.patchUpload({ preview });
    try {
      let dataset = store.get().dataset;
      if (!dataset) {
        const created: Dataset = await api.createDataset(file.name.replace(/\.zip$/i, '') || 'dataset');
        dataset = { id: created.id, name: created.name, version: null };
        store.set((s) => ({ datasets: [created, ...s.datasets.filter((d) => d.id !== created.id)] }));
      }
      const { version, upload } = await api.createUpload(dataset.id, file.name, file.size);
      const now = new Date().toISOString();
      store.set({
        dataset: { id: dataset.id, name: dataset.name, version: { version, status: 'UPLOADING', sizeBytes: file.size, fileName: file.name, source: 'web', createdAt: now } },
      });
      const sending = uploadToPresignedPost(upload, file, (fraction) => this.patchUpload({ fraction }));
      this.abortUpload = sending.abort;
      await sending.done;
      this.abortUpload = null;
      this.patchUpload({ phase: 'idle', fraction: 1 });
      this.pollDataset(1500);
    } catch (error) {
      this.abortUpload = null;
      this.patchUpload({ phase: 'failed', error: message(error) });
    }
  }

  cancelUpload(): void {
    this.abortUpload?.();
  }

  /** Leaving the workspace: no upload keeps going, no poll fires. */
  stop(): void {
    this.abortUpload?.();
    clearTimeout(this.datasetPoll);
  }

  private patchUpload(patch: Partial<State['upload']>): void {
    this.ctx.store.set((s) => ({ upload: { ...s.upload, ...patch } }));
  }

  /** GET the chosen dataset and keep the version we care about (the one asked for, the one uploaded, else the latest). */
  async refreshDataset(asked?: number): Promise<void> {
    const { store, api } = this.ctx;
    const chosen = store.get().dataset;
    if (!chosen) return;
    try {
      const dataset = await api.getDataset(chosen.id);
      const current = store.get().dataset;
      if (current?.id !== dataset.id) return;
      const versions = dataset.versions ?? [];
      const wanted = asked ?? current.version?.version ?? dataset.latestVersion ?? Math.max(0, ...versions.map((v) => v.version));
      const version = versions.find((v) => v.version === wanted) ?? current.version;
      store.set({ dataset: { id: dataset.id, name: dataset.name, version: version ?? null } });
      if (version && !SETTLED.includes(version.status)) this.pollDataset(3000);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) store.set({ dataset: null });
      else this.pollDataset(5000);
    }
  }

  /** The WebSocket push is the fast path; polling covers a lost push or a dropped connection. */
  private pollDataset(delayMs: number): void {
    clearTimeout(this.datasetPoll);
    this.datasetPoll = setTimeout(() => void this.refreshDataset(), delayMs);
  }

  /** A pushed version of the chosen dataset replaces an older one; a settled one ends polling. */
  onPush(m: Extract<ServerMessage, { type: 'dataset' }>): void {
    const current = this.ctx.store.get().dataset;
    if (current?.id === m.datasetId && (!current.version || current.version.version <= m.version.version)) {
      this.ctx.store.set({ dataset: { ...current, version: m.version } });
      if (SETTLED.includes(m.version.status)) {
        clearTimeout(this.datasetPoll);
        void this.loadDatasets();
      }
    }
  }
}

export function checkFile(file: File): string | null {
  if (!isZipName(file.name)) return `“${file.name}” is not a .zip archive. Zip your images and captions together and upload the archive.`;
  if (file.size === 0) return 'This file is empty.';
  if (file.size > MAX_UPLOAD_BYTES) return `This archive is larger than the ${formatLimit(MAX_UPLOAD_BYTES)} upload limit.`;
  return null;
}
