import type { Adapter, Dataset, DatasetVersion, Job, ServerMessage } from '../../functions/domain/schemas';
import { ApiClient, ApiError, uploadToPresignedPost } from './api';
import { absoluteUrl } from './config';
import { collectParams, defaultValues } from './params';
import { type State, type Store, selectedTrainer, upsertJob } from './state';
import { LiveChannel } from './ws';
import { packageFiles } from './package-files';
import { isZipName, previewZip } from './zip-preview';
import { formatLimit, MAX_UPLOAD_BYTES } from '../../functions/domain/upload-limit';

const SETTLED: DatasetVersion['status'][] = ['READY', 'INVALID'];

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Everything the panels can ask for. Panels read state from the store and call these; nothing else talks to the API. */
export class Actions {
  readonly api: ApiClient;
  private channel: LiveChannel | null = null;
  private datasetPoll: ReturnType<typeof setTimeout> | undefined;
  private abortUpload: (() => void) | null = null;
  /** Reused when the same submission is retried after a lost answer, so one click never makes two jobs. */
  private pendingJob: { body: string; key: string } | null = null;

  constructor(private readonly store: Store) {
    const config = store.get().config!;
    this.api = new ApiClient(absoluteUrl(config.apiUrl), store.get().token);
    this.api.onUnauthorized = () => this.signOut('Your session expired. Sign in again.');
  }

  // ---------- session ----------

  async signIn(user: string): Promise<void> {
    const token = await this.api.devToken(user.trim());
    localStorage.setItem('loraworks.token', token);
    localStorage.setItem('loraworks.user', user.trim());
    this.api.setToken(token);
    this.store.set({ token, user: user.trim(), formError: null });
  }

  signOut(notice?: string): void {
    this.channel?.close();
    this.channel = null;
    this.abortUpload?.();
    clearTimeout(this.datasetPoll);
    localStorage.removeItem('loraworks.token');
    this.api.setToken(null);
    this.store.set({ token: null, jobs: [], jobsPhase: 'loading', dataset: null, datasets: [], formError: notice ?? null });
  }

  /** Load what a signed-in workspace shows and open the live channel. */
  start(): void {
    const { config, token } = this.store.get();
    if (!config || !token) return;
    void this.loadTrainers();
    void this.refreshJobs();
    void this.loadDatasets();
    void this.loadAdapters();
    this.channel?.close();
    this.channel = new LiveChannel(absoluteUrl(config.wsUrl, true), token, {
      onMessage: (m) => this.onMessage(m),
      onState: (link) => this.store.set({ link }),
      onReconnect: () => {
        void this.refreshJobs();
        void this.refreshDataset();
      },
    });
  }

  // ---------- trainers and form ----------

  async loadTrainers(): Promise<void> {
    this.store.set({ trainersError: null });
    try {
      const list = await this.api.listTrainers();
      const remembered = localStorage.getItem('loraworks.trainer');
      const current = this.store.get().trainerId;
      const keep = list.trainers.find((t) => t.id === current) ?? list.trainers.find((t) => t.id === remembered);
      this.store.set({ trainers: list.trainers, trainerSource: list.source });
      if (keep) this.selectTrainer(keep.id);
    } catch (error) {
      this.store.set({ trainersError: message(error) });
    }
  }

  selectTrainer(trainerId: string | null): void {
    if (trainerId) localStorage.setItem('loraworks.trainer', trainerId);
    const trainer = this.store.get().trainers.find((t) => t.id === trainerId);
    this.store.set({ trainerId, params: trainer ? defaultValues(trainer) : {}, serverErrors: {}, formError: null });
  }

  setParam(key: string, value: string | boolean): void {
    this.store.set((s) => ({ params: { ...s.params, [key]: value }, serverErrors: without(s.serverErrors, `params.${key}`) }));
  }

  setTriggerPhrase(triggerPhrase: string): void {
    this.store.set((s) => ({ triggerPhrase, serverErrors: without(s.serverErrors, 'triggerPhrase') }));
  }

  setSidebarCollapsed(collapsed: boolean): void {
    localStorage.setItem('loraworks.sidebar', collapsed ? 'collapsed' : 'open');
    this.store.set({ sidebarCollapsed: collapsed });
  }

  setGuideOpen(guideOpen: boolean): void {
    this.store.set({ guideOpen });
  }

  // ---------- datasets ----------

  async loadDatasets(): Promise<void> {
    try {
      const datasets = await this.api.listDatasets();
      datasets.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
      this.store.set({ datasets });
    } catch {
      // The list is a convenience; uploading still works without it.
    }
  }

  /** Pick an existing dataset (its latest version) to train on, or clear the choice with null. */
  async chooseDataset(id: string | null): Promise<void> {
    clearTimeout(this.datasetPoll);
    if (!id) {
      this.store.set({ dataset: null, upload: { phase: 'idle', fraction: 0 } });
      return;
    }
    const known = this.store.get().datasets.find((d) => d.id === id);
    this.store.set({ dataset: { id, name: known?.name ?? id, version: null }, upload: { phase: 'idle', fraction: 0 }, serverErrors: {} });
    await this.refreshDataset();
  }

  /** One .zip goes up as it is; loose images and captions are packaged into one zip first. */
  async uploadFiles(files: File[]): Promise<void> {
    if (files.length === 1 && isZipName(files[0]!.name)) return this.uploadFile(files[0]!);
    this.store.set({ upload: { phase: 'uploading', fraction: 0, fileName: `Packaging ${files.length} files…` }, serverErrors: {} });
    const packaged = await packageFiles(files, (fraction) => this.patchUpload({ fraction }));
    if ('error' in packaged) {
      this.store.set({ upload: { phase: 'failed', fraction: 0, fileName: `${files.length} files`, error: packaged.error } });
      return;
    }
    await this.uploadFile(packaged.zip);
    if (packaged.skipped.length && this.store.get().upload.phase !== 'failed') {
      this.store.set({ formError: `Left out ${packaged.skipped.length} file(s) that are not images or captions: ${packaged.skipped.slice(0, 5).join(', ')}${packaged.skipped.length > 5 ? '…' : ''}` });
    }
  }

  /** Check the file, create the dataset (or a new version of the chosen one), send it with progress. */
  async uploadFile(file: File): Promise<void> {
    const problem = checkFile(file);
    if (problem) {
      this.store.set({ upload: { phase: 'failed', fraction: 0, fileName: file.name, sizeBytes: file.size, error: problem } });
      return;
    }
    clearTimeout(this.datasetPoll);
    this.store.set({ upload: { phase: 'uploading', fraction: 0, fileName: file.name, sizeBytes: file.size }, serverErrors: {} });
    const preview = await previewZip(file).catch(() => null);
    if (!preview) {
      this.store.set({ upload: { phase: 'failed', fraction: 0, fileName: file.name, sizeBytes: file.size, error: 'This file is not a readable .zip archive.' } });
      return;
    }
    this.patchUpload({ preview });
    try {
      let dataset = this.store.get().dataset;
      if (!dataset) {
        const created: Dataset = await this.api.createDataset(file.name.replace(/\.zip$/i, '') || 'dataset');
        dataset = { id: created.id, name: created.name, version: null };
        this.store.set((s) => ({ datasets: [created, ...s.datasets.filter((d) => d.id !== created.id)] }));
      }
      const { version, upload } = await this.api.createUpload(dataset.id, file.name, file.size);
      const now = new Date().toISOString();
      this.store.set({
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

  private patchUpload(patch: Partial<State['upload']>): void {
    this.store.set((s) => ({ upload: { ...s.upload, ...patch } }));
  }

  /** GET the chosen dataset and keep the version we care about (the one uploaded, else the latest). */
  async refreshDataset(): Promise<void> {
    const chosen = this.store.get().dataset;
    if (!chosen) return;
    try {
      const dataset = await this.api.getDataset(chosen.id);
      const current = this.store.get().dataset;
      if (current?.id !== dataset.id) return;
      const versions = dataset.versions ?? [];
      const wanted = current.version?.version ?? dataset.latestVersion ?? Math.max(0, ...versions.map((v) => v.version));
      const version = versions.find((v) => v.version === wanted) ?? current.version;
      this.store.set({ dataset: { id: dataset.id, name: dataset.name, version: version ?? null } });
      if (version && !SETTLED.includes(version.status)) this.pollDataset(3000);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.store.set({ dataset: null });
      else this.pollDataset(5000);
    }
  }

  /** The WebSocket push is the fast path; polling covers a lost push or a dropped connection. */
  private pollDataset(delayMs: number): void {
    clearTimeout(this.datasetPoll);
    this.datasetPoll = setTimeout(() => void this.refreshDataset(), delayMs);
  }

  // ---------- jobs ----------

  async refreshJobs(): Promise<void> {
    try {
      const list = await this.api.listJobs(50);
      this.store.set((s) => {
        // Keep pushes that arrived while the list was in flight if they are newer.
        let jobs = list.jobs;
        for (const job of s.jobs) jobs = upsertJob(jobs, job);
        return { jobs: jobs.slice(0, Math.max(50, list.jobs.length)), jobsPhase: 'ready', jobsError: null };
      });
    } catch (error) {
      this.store.set({ jobsPhase: this.store.get().jobs.length ? 'ready' : 'error', jobsError: message(error) });
    }
  }

  async startTraining(): Promise<void> {
    const s = this.store.get();
    const trainer = selectedTrainer(s);
    if (!trainer || !s.dataset?.version || s.submitting) return;
    const { values, errors } = collectParams(trainer, s.params);
    if (Object.keys(errors).length) return;
    this.store.set({ submitting: true, formError: null, serverErrors: {} });
    const request = { trainerId: trainer.id, datasetId: s.dataset.id, datasetVersion: s.dataset.version.version, triggerPhrase: s.triggerPhrase.trim(), params: values };
    const body = JSON.stringify(request);
    if (this.pendingJob?.body !== body) this.pendingJob = { body, key: crypto.randomUUID() };
    try {
      const job = await this.api.createJob(request, this.pendingJob.key);
      this.pendingJob = null;
      this.store.set((st) => ({ jobs: upsertJob(st.jobs, job), jobsPhase: 'ready', submitting: false }));
    } catch (error) {
      // A definite refusal ends this submission; a lost answer or a server error keeps the key for the retry.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) this.pendingJob = null;
      const serverErrors: Record<string, string> = {};
      let formError: string | null = message(error);
      if (error instanceof ApiError && error.details.length) {
        for (const detail of error.details) serverErrors[detail.field] = detail.message;
        formError = error.status === 422 ? 'Some values need fixing — see the highlighted fields.' : error.message;
      }
      this.store.set({ submitting: false, serverErrors, formError });
    }
  }

  async cancelJob(job: Job): Promise<void> {
    try {
      const updated = await this.api.cancelJob(job.id);
      this.store.set((s) => ({ jobs: upsertJob(s.jobs, updated) }));
    } catch (error) {
      this.store.set({ jobsError: `Could not cancel: ${message(error)}` });
      void this.refreshJobs();
    }
  }

  async downloadJob(job: Job): Promise<void> {
    try {
      const link = await this.api.artifact(job.id);
      window.location.assign(link.url);
    } catch (error) {
      this.store.set({ jobsError: `Could not download: ${message(error)}` });
    }
  }

  // ---------- registered LoRAs ----------

  async loadAdapters(): Promise<void> {
    try {
      this.store.set({ adapters: await this.api.listAdapters() });
    } catch (error) {
      this.store.set({ jobsError: `Could not load your registered LoRAs: ${message(error)}` });
    }
  }

  async registerJob(job: Job, name: string): Promise<void> {
    try {
      const adapter = await this.api.registerAdapter(job.id, name);
      this.store.set((s) => ({ adapters: [adapter, ...s.adapters] }));
    } catch (error) {
      this.store.set({ jobsError: `Could not register the LoRA: ${message(error)}` });
    }
  }

  async unregister(adapter: Adapter): Promise<void> {
    try {
      await this.api.deleteAdapter(adapter.id);
      this.store.set((s) => ({ adapters: s.adapters.filter((a) => a.id !== adapter.id) }));
    } catch (error) {
      this.store.set({ jobsError: `Could not remove ${adapter.name}: ${message(error)}` });
    }
  }

  dismissJobsError(): void {
    this.store.set({ jobsError: null });
  }

  // ---------- live updates ----------

  private onMessage(m: ServerMessage): void {
    if (m.type === 'job') {
      this.store.set((s) => ({ jobs: upsertJob(s.jobs, m.job), jobsPhase: 'ready' }));
    } else if (m.type === 'dataset') {
      const current = this.store.get().dataset;
      if (current?.id === m.datasetId && (!current.version || current.version.version <= m.version.version)) {
        this.store.set({ dataset: { ...current, version: m.version } });
        if (SETTLED.includes(m.version.status)) {
          clearTimeout(this.datasetPoll);
          void this.loadDatasets();
        }
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

function without(record: Record<string, string>, key: string): Record<string, string> {
  if (!(key in record)) return record;
  const { [key]: _, ...rest } = record;
  return rest;
}
