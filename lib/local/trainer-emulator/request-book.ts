// The requests the trainer emulator holds: what routes see of them (views, logs, the faults planned for each
// call), the faults applied to them, and their records in dataDir, saved as they change so that a request a
// trainer has acknowledged survives a restart.
import { FaultCounter, type AnswerPlan, type AppliedFault, type EmulatorCall } from './faults';
import type { EmulatedRequest, Entry, LogLine } from './request';
import { EmulatorStore } from './store';

export class RequestBook {
  /** In submission order, which is queue order. */
  protected readonly entries = new Map<string, Entry>();
  protected readonly store: EmulatorStore | undefined;
  /** Once stopped, nothing more is saved. */
  protected stopped = false;
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(dataDir?: string) {
    this.store = dataDir ? new EmulatorStore(dataDir) : undefined;
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

  /** Resolves once the request's record is on disk: a trainer acknowledges a job only once it cannot lose it. */
  async durable(requestId: string): Promise<void> {
    await this.store?.durable(requestId);
  }

  /** The working state of a request, for the emulator's own parts (routes read views). */
  entry(requestId: string): Entry | undefined {
    return this.entries.get(requestId);
  }

  /** Calls `onChange` after each change of the request (status, step, logs, queue position), and maybe more often,
   * until the returned function is called. */
  watch(requestId: string, onChange: () => void): () => void {
    const watchers = this.watchers.get(requestId) ?? new Set();
    this.watchers.set(requestId, watchers);
    const watcher = () => onChange();
    watchers.add(watcher);
    return () => {
      watchers.delete(watcher);
      if (!watchers.size) this.watchers.delete(requestId);
    };
  }

  /** Records a fault applied to the request. */
  applied(entry: Entry, fault: Omit<AppliedFault, 'at'>): void {
    entry.view.faultsApplied.push({ ...fault, at: new Date().toISOString() });
    this.save(entry);
  }

  protected counterFor(entry: Entry): FaultCounter {
    const counter = new FaultCounter(() => entry.view.faults, (fault) => entry.view.faultsApplied.push(fault));
    // Calls already answered before a restart still count.
    for (const fault of entry.view.faultsApplied) if (fault.call) counter.calls[fault.call] = (counter.calls[fault.call] ?? 0) + 1;
    return counter;
  }

  /** Every change of a request is saved: the watchers hear of it once the change is whole; all of them, as a
   * change of one request can move the queue positions of others. */
  protected save(entry: Entry): void {
    if (this.watchers.size) queueMicrotask(() => { for (const watcher of [...this.watchers.values()].flatMap((set) => [...set])) watcher(); });
    if (this.stopped) return;
    this.store?.save(entry.view.requestId, () => ({
      view: entry.view, logs: entry.logs, files: entry.files.values(), ...(entry.outputFiles ? { outputFiles: entry.outputFiles } : {}),
    }));
  }

  protected view(entry: Entry): EmulatedRequest {
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
}
