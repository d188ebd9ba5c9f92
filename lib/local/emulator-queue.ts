// The trainer emulator's queue: requests wait for a free slot, download their dataset, "train" on a timer
// at a fixed step rate writing fal-style log lines, and end with a LoRA file or a fal-style error.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { falFieldMap, falStepsField } from '../../functions/domain/param-mapping';
import { fallbackTrainers } from '../../functions/domain/trainer-catalog';
import { buildEmulatedLora } from './emulator-lora';

export type EmulatedStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface EmulatedRequest {
  requestId: string;
  endpoint: string;
  status: EmulatedStatus;
  cancelRequested: boolean;
  step: number;
  totalSteps: number;
  input: Record<string, unknown>;
  queuePosition?: number;
  datasetBytes?: number;
  submittedAt: string;
  startedAt?: string;
  finishedAt?: string;
  error?: { status: number; body: unknown };
}

/** Faults a test can ask for through the request's `emulator_faults` input field. */
export interface EmulatorFaults {
  /** Fail the training when it reaches this step, as a crashed runner would. */
  failAtStep?: number;
  /** The failure's detail message. */
  message?: string;
}

export interface FalLogLine {
  message: string;
  level: 'INFO' | 'ERROR';
  source: 'USER';
  timestamp: string;
}

export interface StoredFile {
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

interface Entry {
  view: EmulatedRequest;
  logs: FalLogLine[];
  datasetReady: boolean;
  faults: EmulatorFaults;
  files: Map<string, StoredFile>;
  /** fal output field → name of the file it points at. */
  outputFiles?: Record<string, string>;
  timer?: NodeJS.Timeout;
  /** Disk writes of this request run one at a time; a save asked for while one runs is folded into the next. */
  saving?: Promise<void>;
  savePending?: boolean;
  /** Steps done before this run of the emulator, for a request resumed from dataDir. */
  resumedFrom: number;
  runStartedAt?: number;
}

export interface QueueOptions {
  stepsPerSecond: number;
  concurrency: number;
  dataDir?: string;
  /** Base URL the files are served under: {filesUrl}/{requestId}/{name}. */
  filesUrl: () => string;
}

interface SavedRequest {
  view: EmulatedRequest;
  logs: FalLogLine[];
  faults?: EmulatorFaults;
  outputFiles?: Record<string, string>;
  files?: { name: string; contentType: string }[];
}

const TERMINAL: readonly EmulatedStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
const DOWNLOAD_TIMEOUT_MS = 30_000;
const falTime = (at = new Date()) => at.toISOString().replace('Z', '');

export class EmulatorQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly downloads = new AbortController();
  private stopped = false;

  constructor(private readonly options: QueueOptions) {}

  /** Reloads requests kept in dataDir: finished ones keep their result, unfinished ones resume training. */
  async restore(): Promise<void> {
    const dir = this.requestsDir();
    if (!dir) return;
    const names = await readdir(dir).catch(() => [] as string[]);
    const restored: Entry[] = [];
    for (const name of names.filter((file) => file.endsWith('.json'))) {
      try {
        const saved = JSON.parse(await readFile(join(dir, name), 'utf8')) as SavedRequest;
        const files = new Map<string, StoredFile>();
        for (const file of saved.files ?? []) {
          files.set(file.name, { ...file, bytes: new Uint8Array(await readFile(join(this.options.dataDir!, 'files', saved.view.requestId, file.name))) });
        }
        const view = saved.view;
        const unfinished = !TERMINAL.includes(view.status);
        if (unfinished) view.status = 'IN_QUEUE';
        restored.push({
          view, logs: saved.logs, files, faults: saved.faults ?? {}, resumedFrom: view.step,
          datasetReady: unfinished && view.datasetBytes !== undefined,
          ...(saved.outputFiles ? { outputFiles: saved.outputFiles } : {}),
        });
      } catch {
        // A half-written record from a crash: that request is lost, as it would be at a real provider's outage.
      }
    }
    // Queue order is submission order.
    restored.sort((a, b) => a.view.submittedAt.localeCompare(b.view.submittedAt));
    for (const entry of restored) {
      this.entries.set(entry.view.requestId, entry);
      if (!TERMINAL.includes(entry.view.status) && !entry.datasetReady) void this.download(entry);
    }
    this.pump();
  }

  submit(endpoint: string, input: Record<string, unknown>): EmulatedRequest {
    const requestId = randomUUID();
    const faults = (typeof input.emulator_faults === 'object' && input.emulator_faults !== null ? input.emulator_faults : {}) as EmulatorFaults;
    const entry: Entry = {
      view: {
        requestId, endpoint, status: 'IN_QUEUE', cancelRequested: false, step: 0, totalSteps: 0, input,
        submittedAt: new Date().toISOString(),
      },
      logs: [], datasetReady: false, faults, files: new Map(), resumedFrom: 0,
    };
    this.entries.set(requestId, entry);
    const problem = this.checkInput(entry);
    if (problem) this.fail(entry, 422, { detail: [problem] });
    else void this.download(entry);
    this.save(entry);
    return this.view(entry);
  }

  get(requestId: string): EmulatedRequest | undefined {
    const entry = this.entries.get(requestId);
    return entry && this.view(entry);
  }

  list(): EmulatedRequest[] {
    return [...this.entries.values()].map((entry) => this.view(entry));
  }

  logs(requestId: string): FalLogLine[] {
    return [...(this.entries.get(requestId)?.logs ?? [])];
  }

  /** The fal trainer output of a completed request; file URLs use the server's current address. */
  output(requestId: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(requestId);
    if (!entry?.outputFiles) return undefined;
    return Object.fromEntries(Object.entries(entry.outputFiles).map(([field, name]) => [field, this.fileRef(entry, name)]));
  }

  file(requestId: string, name: string): StoredFile | undefined {
    return this.entries.get(requestId)?.files.get(name);
  }

  /** fal's cancel answers: a queued request is dropped now, a running one stops at its next step. */
  cancel(requestId: string): 'requested' | 'already-completed' | 'not-found' {
    const entry = this.entries.get(requestId);
    if (!entry) return 'not-found';
    if (TERMINAL.includes(entry.view.status)) return 'already-completed';
    entry.view.cancelRequested = true;
    this.log(entry, 'Cancellation requested.');
    if (entry.view.status === 'IN_QUEUE') this.finishCancelled(entry);
    else this.save(entry);
    return 'requested';
  }

  /** Clears every timer, aborts downloads and waits for pending disk writes. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.downloads.abort();
    for (const entry of this.entries.values()) {
      if (entry.timer) clearInterval(entry.timer);
      delete entry.timer;
    }
    await Promise.all([...this.entries.values()].map((entry) => entry.saving));
  }

  private view(entry: Entry): EmulatedRequest {
    const view = structuredClone(entry.view);
    if (view.status === 'IN_QUEUE') view.queuePosition = this.queuePosition(entry);
    return view;
  }

  private queuePosition(entry: Entry): number {
    let ahead = 0;
    for (const other of this.entries.values()) {
      if (other === entry) break;
      if (other.view.status === 'IN_QUEUE') ahead++;
    }
    return ahead;
  }

  private checkInput(entry: Entry): { loc: string[]; msg: string; type: string } | undefined {
    const { endpoint, input } = entry.view;
    const datasetField = falFieldMap(endpoint).dataset;
    if (typeof input[datasetField] !== 'string' || !input[datasetField]) {
      return { loc: ['body', datasetField], msg: 'Field required', type: 'missing' };
    }
    const stepsField = falStepsField(endpoint);
    const steps = input[stepsField];
    if (steps !== undefined && !(Number.isInteger(steps) && (steps as number) > 0)) {
      return { loc: ['body', stepsField], msg: 'Input should be a positive integer', type: 'int_parsing' };
    }
    const app = endpoint.split('/').slice(0, 2).join('/');
    const defaultSteps = fallbackTrainers.find((trainer) => trainer.id === app)?.params.find((param) => param.key === 'steps')?.default;
    entry.view.totalSteps = (steps as number | undefined) ?? (typeof defaultSteps === 'number' ? defaultSteps : 1000);
    return undefined;
  }

  private async download(entry: Entry): Promise<void> {
    const field = falFieldMap(entry.view.endpoint).dataset;
    const url = String(entry.view.input[field]);
    let bytes: Uint8Array;
    try {
      this.log(entry, `Downloading dataset from ${new URL(url).host}...`);
      const response = await fetch(url, { signal: AbortSignal.any([this.downloads.signal, AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (this.stopped) return;
      this.fail(entry, 422, { detail: [{ loc: ['body', field], msg: `Could not download the file at ${url}: ${(error as Error).message}`, type: 'file_download_error' }] });
      return;
    }
    if (this.stopped || TERMINAL.includes(entry.view.status)) return;
    // Every zip starts with a "PK" record signature (local file header, or end of central directory when empty).
    if (bytes.byteLength < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
      this.fail(entry, 422, { detail: [{ loc: ['body', field], msg: 'The dataset is not a zip archive.', type: 'invalid_archive' }] });
      return;
    }
    entry.view.datasetBytes = bytes.byteLength;
    entry.datasetReady = true;
    this.log(entry, `Dataset downloaded (${bytes.byteLength} bytes).`);
    this.save(entry);
    this.pump();
  }

  private pump(): void {
    if (this.stopped) return;
    let running = [...this.entries.values()].filter((entry) => entry.view.status === 'IN_PROGRESS').length;
    for (const entry of this.entries.values()) {
      if (running >= this.options.concurrency) return;
      if (entry.view.status !== 'IN_QUEUE' || !entry.datasetReady) continue;
      this.start(entry);
      running++;
    }
  }

  private start(entry: Entry): void {
    entry.view.status = 'IN_PROGRESS';
    entry.view.startedAt ??= new Date().toISOString();
    entry.runStartedAt = Date.now();
    this.log(entry, entry.resumedFrom > 0 ? `Resuming training at step ${entry.resumedFrom}.` : 'Training started.');
    this.log(entry, `step ${entry.view.step}/${entry.view.totalSteps}`);
    const tickMs = Math.min(1000, Math.max(50, 1000 / this.options.stepsPerSecond));
    entry.timer = setInterval(() => this.tick(entry), tickMs);
    this.save(entry);
  }

  private tick(entry: Entry): void {
    if (entry.view.cancelRequested) return this.finishCancelled(entry);
    const elapsed = (Date.now() - (entry.runStartedAt ?? Date.now())) / 1000;
    let step = Math.min(entry.view.totalSteps, entry.resumedFrom + Math.floor(elapsed * this.options.stepsPerSecond));
    const failAt = entry.faults.failAtStep;
    const failing = failAt !== undefined && step >= failAt;
    if (failing) step = Math.min(step, failAt);
    if (step > entry.view.step) {
      entry.view.step = step;
      this.log(entry, `step ${step}/${entry.view.totalSteps}`);
    }
    if (failing) {
      const message = entry.faults.message ?? `Training crashed at step ${failAt} (injected fault).`;
      this.log(entry, message, 'ERROR');
      return this.fail(entry, 500, { detail: message, error_type: 'runner_server_error' });
    }
    if (step >= entry.view.totalSteps) return this.complete(entry);
    this.save(entry);
  }

  private complete(entry: Entry): void {
    const { requestId, endpoint, input, totalSteps } = entry.view;
    const map = falFieldMap(endpoint);
    const trigger = map.trigger ? input[map.trigger] : undefined;
    const lora = buildEmulatedLora({ requestId, endpoint, steps: totalSteps, ...(typeof trigger === 'string' ? { triggerPhrase: trigger } : {}) });
    const loraName = map.lora === 'diffusers_lora_file' ? 'pytorch_lora_weights.safetensors' : 'lora.safetensors';
    const config = new TextEncoder().encode(JSON.stringify({ trainer: endpoint, steps: totalSteps, input }, null, 2));
    this.addFile(entry, { name: loraName, contentType: 'application/octet-stream', bytes: lora });
    this.addFile(entry, { name: 'config.json', contentType: 'application/json', bytes: config });
    entry.outputFiles = { [map.lora]: loraName, config_file: 'config.json' };
    this.log(entry, 'Training finished; LoRA saved.');
    this.finish(entry, 'COMPLETED');
  }

  private fileRef(entry: Entry, name: string) {
    const file = entry.files.get(name)!;
    return {
      url: `${this.options.filesUrl()}/${entry.view.requestId}/${encodeURIComponent(name)}`,
      content_type: file.contentType, file_name: name, file_size: file.bytes.byteLength,
    };
  }

  private addFile(entry: Entry, file: StoredFile): void {
    entry.files.set(file.name, file);
    const dataDir = this.options.dataDir;
    if (!dataDir) return;
    const dir = join(dataDir, 'files', entry.view.requestId);
    entry.saving = (entry.saving ?? Promise.resolve())
      .then(() => mkdir(dir, { recursive: true }))
      .then(() => writeFile(join(dir, file.name), file.bytes))
      .catch(() => undefined);
  }

  private fail(entry: Entry, status: number, body: unknown): void {
    entry.view.error = { status, body };
    this.finish(entry, 'FAILED');
  }

  private finishCancelled(entry: Entry): void {
    this.log(entry, 'Training cancelled.');
    this.finish(entry, 'CANCELLED');
  }

  private finish(entry: Entry, status: EmulatedStatus): void {
    if (entry.timer) clearInterval(entry.timer);
    delete entry.timer;
    entry.view.status = status;
    entry.view.finishedAt = new Date().toISOString();
    this.save(entry);
    this.pump();
  }

  private log(entry: Entry, message: string, level: FalLogLine['level'] = 'INFO'): void {
    entry.logs.push({ message, level, source: 'USER', timestamp: falTime() });
  }

  private requestsDir(): string | undefined {
    return this.options.dataDir && join(this.options.dataDir, 'requests');
  }

  private save(entry: Entry): void {
    const dir = this.requestsDir();
    if (!dir || this.stopped || entry.savePending) return;
    entry.savePending = true;
    entry.saving = (entry.saving ?? Promise.resolve()).then(async () => {
      entry.savePending = false;
      const record: SavedRequest = {
        view: entry.view, logs: entry.logs, faults: entry.faults,
        ...(entry.outputFiles ? { outputFiles: entry.outputFiles } : {}),
        files: [...entry.files.values()].map(({ name, contentType }) => ({ name, contentType })),
      };
      await mkdir(dir, { recursive: true });
      // Written whole each time: the record is small, and a torn write loses only that one request.
      await writeFile(join(dir, `${entry.view.requestId}.json`), JSON.stringify(record));
    }).catch(() => undefined);
  }
}
