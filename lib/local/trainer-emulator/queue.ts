// The trainer emulator's queue: requests wait for a free slot, download their dataset, "train" on a timer at a
// fixed step rate writing log lines, and end with their output files or an error, or are cancelled. Faults
// chosen per request (faults.ts) bend each of those steps, and the request's record says which were applied.
// The requests themselves, and their records on disk, are the request book's (request-book.ts); the results
// they end with are served by results.ts.
import { createHash } from 'node:crypto';
import { downloadDataset } from './dataset-download';
import { stepLine } from './progress-lines';
import { isTerminalStatus, type EmulatedRequest, type EmulatedStatus, type Entry, type LogLine } from './request';
import { RequestBook } from './request-book';
import { restoredEntries } from './restore';
import { submittedEntry, type Submission } from './submission';
import { trainingOutput } from './training-output';
import { emulatedTrainer } from './trainers';

export interface QueueOptions {
  stepsPerSecond: number;
  concurrency: number;
  dataDir?: string;
}

const falTime = (at = new Date()) => at.toISOString().replace('Z', '');

export class EmulatorQueue extends RequestBook {
  private readonly downloads = new AbortController();

  constructor(private readonly options: QueueOptions) {
    super(options.dataDir);
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
    const { trainer, input, faults } = submission;
    const entry = submittedEntry(submission);
    entry.counter = this.counterFor(entry);
    this.entries.set(entry.view.requestId, entry);
    const steps = input[trainer.steps];
    entry.view.totalSteps = typeof steps === 'number' ? steps : trainer.defaultSteps ?? 1000;
    if (faults.forgetAtStep === 0) this.forget(entry);
    else void this.download(entry);
    this.save(entry);
    return this.view(entry);
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
    entry.view.datasetSha256 = createHash('sha256').update(downloaded.bytes).digest('hex');
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
}

