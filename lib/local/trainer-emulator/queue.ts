// The trainer emulator's queue: requests wait for a free slot, download their dataset, "train" on a timer
// at a fixed step rate writing log lines (fal's, or the flux trainer's tqdm bar for Replicate), and end with
// a LoRA file (Replicate: a tar holding it) or an error. Faults chosen per request (faults.ts) bend
// each of those steps, and the request's record says which were applied.
import { createHash, randomUUID } from 'node:crypto';
import { falFieldMap, falStepsField, replicateField, replicateFieldMap } from '../../../functions/domain/param-mapping';
import { fallbackTrainers } from '../../../functions/domain/trainer-catalog';
import { FaultCounter, parseFaults, type AnswerPlan, type AppliedFault, type EmulatorCall, type EmulatorFaults } from './faults';
import { fileSize, tarFile, type FilePart, type StoredFile } from './files';
import { EmulatorStore } from './store';
import { buildEmulatedLora, buildLargeEmulatedLora } from './lora';

export type { StoredFile } from './files';
export type { AppliedFault, EmulatorFaults } from './faults';

/** FORGOTTEN: the trainer dropped the request (the forgetAtStep fault); every call about it answers 404. */
export type EmulatedStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'FORGOTTEN';
export type EmulatedProtocol = 'fal' | 'replicate';

export interface EmulatedRequest {
  requestId: string;
  /** fal endpoint id, or `replicate/{owner}/{name}` for a Replicate training. */
  endpoint: string;
  protocol: EmulatedProtocol;
  status: EmulatedStatus;
  cancelRequested: boolean;
  cancelRequestedAt?: string;
  /** The step the training was at when the cancel arrived. */
  cancelRequestedAtStep?: number;
  step: number;
  totalSteps: number;
  input: Record<string, unknown>;
  /** Replicate's destination model. */
  destination?: string;
  queuePosition?: number;
  datasetBytes?: number;
  submittedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** When the LoRA was produced (status COMPLETED). */
  completedAt?: string;
  error?: { status: number; body: unknown };
  /** Size of the LoRA file (Replicate: of the archive) once produced. */
  outputBytes?: number;
  /** The faults asked for, and what the emulator did because of them. */
  faults: EmulatorFaults;
  faultsApplied: AppliedFault[];
}

export interface LogLine {
  message: string;
  level: 'INFO' | 'ERROR';
  source: 'USER';
  timestamp: string;
}

interface Entry {
  view: EmulatedRequest;
  logs: LogLine[];
  datasetReady: boolean;
  files: Map<string, StoredFile>;
  /** Output field → name of the file it points at. */
  outputFiles?: Record<string, string>;
  counter: FaultCounter;
  timer?: NodeJS.Timeout;
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

/** Faults registered ahead of a submission (POST /__emulator/faults). */
interface Registration {
  id: string;
  match?: string;
  faults: EmulatorFaults;
}

/** The faults of a submission not yet accepted: its submit answers are counted across the client's retries. */
interface Ticket {
  faults: EmulatorFaults;
  applied: AppliedFault[];
  counter: FaultCounter;
  registration?: string;
}

const TERMINAL: readonly EmulatedStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'FORGOTTEN'];
const DOWNLOAD_TIMEOUT_MS = 30_000;
const falTime = (at = new Date()) => at.toISOString().replace('Z', '');
export const isTerminalStatus = (status: EmulatedStatus) => TERMINAL.includes(status);

/** Where a trainer takes its dataset, step count and trigger phrase, by protocol. */
export function inputFields(endpoint: string): { protocol: EmulatedProtocol; dataset: string; steps: string; trigger?: string } {
  if (endpoint.startsWith('replicate/')) {
    const map = replicateFieldMap(endpoint);
    return { protocol: 'replicate', dataset: map.dataset, steps: replicateField(endpoint, 'steps'), ...(map.trigger ? { trigger: map.trigger } : {}) };
  }
  const map = falFieldMap(endpoint);
  return { protocol: 'fal', dataset: map.dataset, steps: falStepsField(endpoint), ...(map.trigger ? { trigger: map.trigger } : {}) };
}

export class EmulatorQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly registrations: Registration[] = [];
  private readonly tickets = new Map<string, Ticket>();
  private readonly downloads = new AbortController();
  private stopped = false;

  private readonly store: EmulatorStore | undefined;

  constructor(private readonly options: QueueOptions) {
    this.store = options.dataDir ? new EmulatorStore(options.dataDir) : undefined;
  }

  /** Reloads requests kept in dataDir: finished ones keep their result, unfinished ones resume training. */
  async restore(): Promise<void> {
    if (!this.store) return;
    const restored: Entry[] = [];
    for (const { view, logs, outputFiles, files } of await this.store.loadAll()) {
      view.protocol ??= 'fal';
      view.faults ??= {};
      view.faultsApplied ??= [];
      // A completed request whose LoRA did not reach the disk trains its last step again rather than being lost.
      if (!files && view.status === 'COMPLETED') {
        view.status = 'IN_PROGRESS';
        delete view.completedAt;
        delete view.finishedAt;
        delete view.outputBytes;
      }
      const unfinished = !TERMINAL.includes(view.status);
      if (unfinished) view.status = 'IN_QUEUE';
      const entry: Entry = {
        view, logs, files: files ?? new Map(), resumedFrom: view.step, counter: undefined as unknown as FaultCounter,
        datasetReady: unfinished && view.datasetBytes !== undefined,
        ...(outputFiles && files ? { outputFiles } : {}),
      };
      entry.counter = this.counterFor(entry);
      restored.push(entry);
    }
    // Queue order is submission order.
    restored.sort((a, b) => a.view.submittedAt.localeCompare(b.view.submittedAt));
    for (const entry of restored) {
      this.entries.set(entry.view.requestId, entry);
      if (!TERMINAL.includes(entry.view.status) && !entry.datasetReady) void this.download(entry);
    }
    this.pump();
  }

  /** Faults for the next submission whose body contains `match` (any, when absent). */
  register(faults: EmulatorFaults, match?: string): string {
    const id = randomUUID();
    this.registrations.push({ id, faults, ...(match ? { match } : {}) });
    return id;
  }

  /** How the answer to a submission is spoiled, counted across retries of the same body (or registration). */
  planSubmit(rawBody: string, input: Record<string, unknown> | undefined, protocol: EmulatedProtocol): AnswerPlan {
    const ticket = this.ticketFor(rawBody, input);
    return ticket ? ticket.counter.next('submit', protocol) : {};
  }

  submit(endpoint: string, input: Record<string, unknown>, rawBody: string, extra: { destination?: string } = {}): EmulatedRequest {
    const requestId = endpoint.startsWith('replicate/') ? replicateId() : randomUUID();
    const ticket = this.ticketFor(rawBody, input);
    if (ticket) {
      this.tickets.delete(this.ticketKey(rawBody, input)!);
      if (ticket.registration) this.registrations.splice(this.registrations.findIndex((item) => item.id === ticket.registration), 1);
    }
    const faults = ticket?.faults ?? {};
    const entry: Entry = {
      view: {
        requestId, endpoint, protocol: inputFields(endpoint).protocol, status: 'IN_QUEUE', cancelRequested: false, step: 0, totalSteps: 0, input,
        ...(extra.destination ? { destination: extra.destination } : {}),
        submittedAt: new Date().toISOString(), faults, faultsApplied: [...(ticket?.applied ?? [])],
      },
      logs: [], datasetReady: false, files: new Map(), resumedFrom: 0, counter: undefined as unknown as FaultCounter,
    };
    entry.counter = this.counterFor(entry);
    this.entries.set(requestId, entry);
    const problem = this.checkInput(entry);
    if (problem) this.fail(entry, 422, { detail: [problem] });
    else if (faults.forgetAtStep === 0) this.forget(entry);
    else void this.download(entry);
    this.save(entry);
    return this.view(entry);
  }

  /** How the answer to a call about a request is spoiled (an error burst, a malformed body, a delay). */
  plan(requestId: string, call: EmulatorCall): AnswerPlan {
    const entry = this.entries.get(requestId);
    if (!entry) return {};
    const plan = entry.counter.next(call, entry.view.protocol);
    if (plan.error || plan.malformed || plan.delayMs) this.save(entry);
    return plan;
  }

  get(requestId: string): EmulatedRequest | undefined {
    const entry = this.entries.get(requestId);
    return entry && this.view(entry);
  }

  list(): EmulatedRequest[] {
    return [...this.entries.values()].map((entry) => this.view(entry));
  }

  logs(requestId: string): LogLine[] {
    return [...(this.entries.get(requestId)?.logs ?? [])];
  }

  /** True when the result (and its files) of a completed request has expired (the resultExpiresAfterMs fault). */
  resultExpired(requestId: string, call: EmulatorCall): boolean {
    const entry = this.entries.get(requestId);
    const after = entry?.view.faults.resultExpiresAfterMs;
    if (!entry || after === undefined || !entry.view.finishedAt) return false;
    if (Date.now() - Date.parse(entry.view.finishedAt) < after) return false;
    this.applied(entry, { fault: 'result-expired', call, detail: `answered ${entry.view.faults.resultExpiredStatus ?? 404}` });
    return true;
  }

  /** The trainer output of a completed request; file URLs use the server's current address. */
  output(requestId: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(requestId);
    if (!entry?.outputFiles) return undefined;
    return Object.fromEntries(Object.entries(entry.outputFiles).map(([field, name]) => [field, this.fileRef(entry, name)]));
  }

  /** URL of a produced file. */
  fileUrl(requestId: string, name: string): string {
    return `${this.options.filesUrl()}/${requestId}/${encodeURIComponent(name)}`;
  }

  file(requestId: string, name: string): StoredFile | undefined {
    return this.entries.get(requestId)?.files.get(name);
  }

  /** Records that a file is being served slowly. */
  noteSlowDownload(requestId: string, kbps: number): void {
    const entry = this.entries.get(requestId);
    if (entry) this.applied(entry, { fault: 'slow-download', call: 'file', detail: `${kbps} KB/s` });
  }

  /**
   * A cancel: a queued request is dropped now, a running one stops at its next step (or later, with the
   * cancelIgnored faults). With completeOnCancel the training completes at this moment instead.
   */
  cancel(requestId: string): 'requested' | 'already-completed' | 'not-found' {
    const entry = this.entries.get(requestId);
    if (!entry || entry.view.status === 'FORGOTTEN') return 'not-found';
    if (TERMINAL.includes(entry.view.status)) return 'already-completed';
    const { faults } = entry.view;
    entry.view.cancelRequested = true;
    entry.view.cancelRequestedAt = new Date().toISOString();
    entry.view.cancelRequestedAtStep = entry.view.step;
    this.log(entry, 'Cancellation requested.');
    if (faults.completeOnCancel && entry.datasetReady) {
      const mode = faults.completeOnCancel === 'already-completed' ? 'already-completed' : 'accepted';
      this.applied(entry, { fault: 'completed-on-cancel', call: 'cancel', detail: `completed as the cancel arrived; cancel answered ${mode}` });
      entry.view.step = entry.view.totalSteps;
      this.log(entry, this.stepLine(entry));
      this.complete(entry);
      return mode === 'accepted' ? 'requested' : 'already-completed';
    }
    if (entry.view.status === 'IN_QUEUE') this.finishCancelled(entry);
    else {
      if (faults.cancelIgnoredSeconds !== undefined || faults.cancelIgnoredSteps !== undefined) {
        this.applied(entry, {
          fault: 'cancel-ignored', call: 'cancel',
          detail: [faults.cancelIgnoredSeconds !== undefined ? `${faults.cancelIgnoredSeconds} s` : '', faults.cancelIgnoredSteps !== undefined ? `${faults.cancelIgnoredSteps} steps` : '']
            .filter(Boolean).join(' and '),
        });
      }
      this.save(entry);
    }
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
    await this.store?.settled();
  }

  private ticketKey(rawBody: string, input: Record<string, unknown> | undefined): string | undefined {
    if (input && input.emulator_faults !== undefined) return `body:${createHash('sha256').update(rawBody).digest('hex')}`;
    const registration = this.registrations.find((item) => !item.match || rawBody.includes(item.match));
    return registration && `registration:${registration.id}`;
  }

  private ticketFor(rawBody: string, input: Record<string, unknown> | undefined): Ticket | undefined {
    const key = this.ticketKey(rawBody, input);
    if (!key) return undefined;
    let ticket = this.tickets.get(key);
    if (!ticket) {
      const registration = key.startsWith('registration:') ? this.registrations.find((item) => `registration:${item.id}` === key) : undefined;
      const faults = registration?.faults ?? parseFaults(input?.emulator_faults);
      const applied: AppliedFault[] = [];
      ticket = { faults, applied, counter: new FaultCounter(() => faults, (fault) => applied.push(fault)), ...(registration ? { registration: registration.id } : {}) };
      this.tickets.set(key, ticket);
    }
    return ticket;
  }

  private counterFor(entry: Entry): FaultCounter {
    const counter = new FaultCounter(() => entry.view.faults, (fault) => entry.view.faultsApplied.push(fault));
    // Calls already answered before a restart still count.
    for (const fault of entry.view.faultsApplied) if (fault.call) counter.calls[fault.call] = (counter.calls[fault.call] ?? 0) + 1;
    return counter;
  }

  private applied(entry: Entry, fault: Omit<AppliedFault, 'at'>): void {
    entry.view.faultsApplied.push({ ...fault, at: new Date().toISOString() });
    this.save(entry);
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
    const fields = inputFields(endpoint);
    if (typeof input[fields.dataset] !== 'string' || !input[fields.dataset]) {
      return { loc: ['body', fields.dataset], msg: 'Field required', type: 'missing' };
    }
    const steps = input[fields.steps];
    if (steps !== undefined && !(Number.isInteger(steps) && (steps as number) > 0)) {
      return { loc: ['body', fields.steps], msg: 'Input should be a positive integer', type: 'int_parsing' };
    }
    const app = fields.protocol === 'fal' ? endpoint.split('/').slice(0, 2).join('/') : endpoint;
    const defaultSteps = fallbackTrainers.find((trainer) => trainer.id === app)?.params.find((param) => param.key === 'steps')?.default;
    entry.view.totalSteps = (steps as number | undefined) ?? (typeof defaultSteps === 'number' ? defaultSteps : 1000);
    return undefined;
  }

  private async download(entry: Entry): Promise<void> {
    const field = inputFields(entry.view.endpoint).dataset;
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
    this.log(entry, this.stepLine(entry));
    const tickMs = Math.min(1000, Math.max(50, 1000 / this.options.stepsPerSecond));
    entry.timer = setInterval(() => this.tick(entry), tickMs);
    this.save(entry);
  }

  /** Whether a cancel should land now, or is still being ignored (the cancelIgnored faults). */
  private cancelLands(entry: Entry): boolean {
    if (!entry.view.cancelRequested) return false;
    const { cancelIgnoredSeconds: seconds, cancelIgnoredSteps: steps } = entry.view.faults;
    const since = Date.parse(entry.view.cancelRequestedAt ?? new Date().toISOString());
    if (seconds !== undefined && Date.now() - since < seconds * 1000) return false;
    const from = entry.view.cancelRequestedAtStep ?? 0;
    if (steps !== undefined && entry.view.step < from + steps) return false;
    return true;
  }

  private tick(entry: Entry): void {
    if (this.cancelLands(entry)) return this.finishCancelled(entry);
    const elapsed = (Date.now() - (entry.runStartedAt ?? Date.now())) / 1000;
    let step = Math.min(entry.view.totalSteps, entry.resumedFrom + Math.floor(elapsed * this.options.stepsPerSecond));
    const { failAtStep: failAt, forgetAtStep: forgetAt } = entry.view.faults;
    const failing = failAt !== undefined && step >= failAt;
    if (failing) step = Math.min(step, failAt);
    const forgetting = !failing && forgetAt !== undefined && step >= forgetAt;
    if (forgetting) step = Math.min(step, forgetAt);
    if (step > entry.view.step) {
      entry.view.step = step;
      this.log(entry, this.stepLine(entry));
    }
    if (failing) {
      const message = entry.view.faults.message ?? `Training crashed at step ${failAt} (injected fault).`;
      this.log(entry, message, 'ERROR');
      this.applied(entry, { fault: 'failed-at-step', detail: `step ${failAt}: ${message}` });
      return this.fail(entry, entry.view.faults.failStatus ?? 500, { detail: message, error_type: entry.view.faults.failErrorType ?? 'runner_server_error' });
    }
    if (forgetting) return this.forget(entry);
    if (step >= entry.view.totalSteps) return this.complete(entry);
    this.save(entry);
  }

  private stepLine(entry: Entry): string {
    const { step, totalSteps } = entry.view;
    if (entry.view.protocol === 'fal') return `step ${step}/${totalSteps}`;
    // The flux trainer's tqdm bar (ostris/ai-toolkit, job name flux_train_replicate).
    const fraction = totalSteps > 0 ? step / totalSteps : 0;
    const filled = Math.floor(fraction * 10);
    const rate = this.options.stepsPerSecond;
    const clock = (seconds: number) => `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
    return `flux_train_replicate: ${String(Math.floor(fraction * 100)).padStart(3)}%|${'#'.repeat(filled)}${' '.repeat(10 - filled)}| ${step}/${totalSteps} `
      + `[${clock(step / rate)}<${clock((totalSteps - step) / rate)}, ${rate.toFixed(2)}it/s, lr: 4.0e-04 loss: 3.1e-01]`;
  }

  private forget(entry: Entry): void {
    this.applied(entry, { fault: 'forgotten', detail: `at step ${entry.view.step}` });
    this.finish(entry, 'FORGOTTEN');
  }

  private complete(entry: Entry): void {
    const { requestId, endpoint, input, totalSteps, faults } = entry.view;
    const fields = inputFields(endpoint);
    const trigger = fields.trigger ? input[fields.trigger] : undefined;
    const spec = { requestId, endpoint, steps: totalSteps, ...(typeof trigger === 'string' ? { triggerPhrase: trigger } : {}) };
    const lora: FilePart[] = faults.loraMegabytes ? buildLargeEmulatedLora(spec, faults.loraMegabytes) : [buildEmulatedLora(spec)];
    if (faults.loraMegabytes) this.applied(entry, { fault: 'large-lora', detail: `${faults.loraMegabytes} MB` });
    const config = new TextEncoder().encode(JSON.stringify({ trainer: endpoint, steps: totalSteps, input }, null, 2));
    if (fields.protocol === 'replicate') {
      // As replicate/flux-fine-tuner's train.py: `tar -cvf trained_model.tar output/flux_train_replicate/`.
      const archive = tarFile('trained_model.tar', [
        { path: 'output/flux_train_replicate/config.yaml', parts: [config] },
        { path: 'output/flux_train_replicate/lora.safetensors', parts: lora },
      ]);
      this.addFile(entry, archive);
      entry.outputFiles = { weights: archive.name };
      entry.view.outputBytes = fileSize(archive);
    } else {
      const map = falFieldMap(endpoint);
      const loraName = map.lora === 'diffusers_lora_file' ? 'pytorch_lora_weights.safetensors' : 'lora.safetensors';
      const file: StoredFile = { name: loraName, contentType: 'application/octet-stream', parts: lora };
      this.addFile(entry, file);
      this.addFile(entry, { name: 'config.json', contentType: 'application/json', parts: [config] });
      entry.outputFiles = { [map.lora]: loraName, config_file: 'config.json' };
      entry.view.outputBytes = fileSize(file);
    }
    this.log(entry, 'Training finished; LoRA saved.');
    entry.view.completedAt = new Date().toISOString();
    this.finish(entry, 'COMPLETED');
  }

  private fileRef(entry: Entry, name: string) {
    const file = entry.files.get(name)!;
    return { url: this.fileUrl(entry.view.requestId, name), content_type: file.contentType, file_name: name, file_size: fileSize(file) };
  }

  private addFile(entry: Entry, file: StoredFile): void {
    entry.files.set(file.name, file);
    this.save(entry);
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

  private log(entry: Entry, message: string, level: LogLine['level'] = 'INFO'): void {
    entry.logs.push({ message, level, source: 'USER', timestamp: falTime() });
  }

  /** Resolves once the request's record is on disk: a trainer acknowledges a job only once it cannot lose it. */
  async durable(requestId: string): Promise<void> {
    await this.store?.durable(requestId);
  }

  private save(entry: Entry): void {
    if (this.stopped) return;
    this.store?.save(entry.view.requestId, () => ({
      view: entry.view, logs: entry.logs, files: entry.files.values(), ...(entry.outputFiles ? { outputFiles: entry.outputFiles } : {}),
    }));
  }
}

/** Replicate ids: 26 lowercase base-32 characters. */
function replicateId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from(crypto.getRandomValues(new Uint8Array(26)), (byte) => alphabet[byte % 32]).join('');
}
