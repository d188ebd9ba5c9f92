// The trainer emulator's queue: requests wait for a free slot, download their dataset, "train" on a timer at a
// fixed step rate writing log lines, and end with their output files or an error. Faults chosen per request
// (faults.ts) bend each of those steps, and the request's record says which were applied.
import { randomUUID } from 'node:crypto';
import { downloadDataset } from './dataset-download';
import { FaultCounter, type AnswerPlan, type AppliedFault, type EmulatorCall, type EmulatorFaults } from './faults';
import { fileSize, type StoredFile } from './files';
import { stepLine } from './progress-lines';
import { isTerminalStatus, type EmulatedRequest, type EmulatedStatus, type Entry, type LogLine } from './request';
import { restoredEntries } from './restore';
import { EmulatorStore } from './store';
import { trainingOutput } from './training-output';
import type { EmulatedTrainer } from './trainer-schema';
import { emulatedTrainer } from './trainers';

export interface QueueOptions {
  stepsPerSecond: number;
  concurrency: number;
  dataDir?: string;
  /** Base URL the files are served under: {filesUrl}/{requestId}/{name}. */
  filesUrl: () => string;
}

export interface Submission {
  trainer: EmulatedTrainer;
  /** The endpoint submitted to: the trainer's id, or a fal sub-path of it. */
  endpoint: string;
  input: Record<string, unknown>;
  faults: EmulatorFaults;
  /** Faults already applied to the submission's answers. */
  applied: AppliedFault[];
  destination?: string;
  /** The request fails at once with this answer (the trainer refused its input). */
  refusal?: { status: number; body: unknown };
}

const falTime = (at = new Date()) => at.toISOString().replace('Z', '');

export class EmulatorQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly downloads = new AbortController();
  private stopped = false;

  private readonly store: EmulatorStore | undefined;

  constructor(private readonly options: QueueOptions) {
    this.store = options.dataDir ? new EmulatorStore(options.dataDir) : undefined;
  }

  /** Reloads requests kept in dataDir: finished ones keep their result, unfinished ones resume training. */
  async restore(): Promise<void> {
    if (!this.store) return;
    for (const entry of restoredEntries(await this.store.loadAll(), (restored) => this.counterFor(restored))) {
      this.entries.set(entry.view.requestId, entry);
      if (!isTerminalStatus(entry.view.status) && !entry.datasetReady) void this.download(entry);
    }
    this.pump();
  }

  submit(submission: Submission): EmulatedRequest {
    const { trainer, endpoint, input, faults, refusal } = submission;
    const requestId = trainer.protocol === 'replicate' ? replicateId() : randomUUID();
    const entry: Entry = {
      view: {
        requestId, endpoint, protocol: trainer.protocol, status: 'IN_QUEUE', cancelRequested: false, step: 0, totalSteps: 0, input,
        ...(submission.destination ? { destination: submission.destination } : {}),
        submittedAt: new Date().toISOString(), faults, faultsApplied: [...submission.applied],
      },
      logs: [], datasetReady: false, files: new Map(), resumedFrom: 0, counter: undefined as unknown as FaultCounter,
    };
    entry.counter = this.counterFor(entry);
    this.entries.set(requestId, entry);
    if (refusal) this.fail(entry, refusal.status, refusal.body);
    else {
      const steps = input[trainer.steps];
      entry.view.totalSteps = typeof steps === 'number' ? steps : trainer.defaultSteps ?? 1000;
      if (faults.forgetAtStep === 0) this.forget(entry);
      else void this.download(entry);
    }
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
    if (isTerminalStatus(entry.view.status)) return 'already-completed';
    const { faults } = entry.view;
    entry.view.cancelRequested = true;
    entry.view.cancelRequestedAt = new Date().toISOString();
    entry.view.cancelRequestedAtStep = entry.view.step;
    this.log(entry, 'Cancellation requested.');
    if (faults.completeOnCancel && entry.datasetReady) {
      const mode = faults.completeOnCancel === 'already-completed' ? 'already-completed' : 'accepted';
      this.applied(entry, { fault: 'completed-on-cancel', call: 'cancel', detail: `completed as the cancel arrived; cancel answered ${mode}` });
      entry.view.step = entry.view.totalSteps;
      this.logStep(entry);
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

  /** Resolves once the request's record is on disk: a trainer acknowledges a job only once it cannot lose it. */
  async durable(requestId: string): Promise<void> {
    await this.store?.durable(requestId);
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

  private async download(entry: Entry): Promise<void> {
    const field = emulatedTrainer(entry.view.endpoint)!.dataset;
    const url = String(entry.view.input[field]);
    if (URL.canParse(url)) this.log(entry, `Downloading dataset from ${new URL(url).host}...`);
    const downloaded = await downloadDataset(url, this.downloads.signal);
    if (this.stopped || isTerminalStatus(entry.view.status)) return;
    if ('problem' in downloaded) {
      this.fail(entry, 422, { detail: [{ loc: ['body', field], ...downloaded.problem }] });
      return;
    }
    entry.view.datasetBytes = downloaded.bytes.byteLength;
    entry.datasetReady = true;
    this.log(entry, `Dataset downloaded (${downloaded.bytes.byteLength} bytes).`);
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
    this.logStep(entry);
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
      this.logStep(entry);
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

  private forget(entry: Entry): void {
    this.applied(entry, { fault: 'forgotten', detail: `at step ${entry.view.step}` });
    this.finish(entry, 'FORGOTTEN');
  }

  private complete(entry: Entry): void {
    const { faults } = entry.view;
    const output = trainingOutput(emulatedTrainer(entry.view.endpoint)!, entry.view, faults);
    if (faults.loraMegabytes) this.applied(entry, { fault: 'large-lora', detail: `${faults.loraMegabytes} MB` });
    for (const file of output.files) entry.files.set(file.name, file);
    entry.outputFiles = output.outputFiles;
    entry.view.outputBytes = output.outputBytes;
    this.log(entry, 'Training finished; LoRA saved.');
    entry.view.completedAt = new Date().toISOString();
    this.finish(entry, 'COMPLETED');
  }

  private fileRef(entry: Entry, name: string) {
    const file = entry.files.get(name)!;
    return { url: this.fileUrl(entry.view.requestId, name), content_type: file.contentType, file_name: name, file_size: fileSize(file) };
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

  private logStep(entry: Entry): void {
    this.log(entry, stepLine(entry.view.protocol, entry.view.step, entry.view.totalSteps, this.options.stepsPerSecond));
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
