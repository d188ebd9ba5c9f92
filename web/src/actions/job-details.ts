import { TERMINAL_STATUSES, type Job } from '#domain/schemas';
import type { JobDetailsState } from '#web/state';
import { type ActionContext, message } from './context';

/** Log lines are fetched again at most this often while pushes of a running job arrive. */
const LOGS_EVERY_MS = 3000;

/** A job's details: the job (live through the jobs list's pushes), its trainer's last log lines, and its
 * dataset's versions for the link and "Train again on the latest". */
export class JobDetailsActions {
  private logsAt = 0;
  private logsTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: ActionContext) {}

  async open(jobId: string): Promise<void> {
    const { store, api } = this.ctx;
    const listed = store.get().jobs.find((j) => j.id === jobId) ?? null;
    store.set({ jobDetails: { jobId, job: null, logs: null, logsError: null, versions: null, error: null } });
    let job = listed;
    if (!job) {
      try {
        job = await api.call('get-job', { params: { jobId } });
        this.patch(jobId, { job });
      } catch (error) {
        this.patch(jobId, { error: `The job could not be loaded: ${message(error)}` });
        return;
      }
    }
    void this.loadLogs(jobId);
    try {
      const dataset = await api.getDataset(job.datasetId);
      this.patch(jobId, { versions: dataset.versions ?? [] });
    } catch {
      // Without the versions the link still names the version; only "the latest" is not offered.
      this.patch(jobId, { versions: [] });
    }
  }

  close(): void {
    clearTimeout(this.logsTimer);
    this.ctx.store.set({ jobDetails: null });
  }

  /** A push of the open job: its log lines follow, throttled, and once more when it ends. */
  onPush(job: Job): void {
    const open = this.ctx.store.get().jobDetails;
    if (open?.jobId !== job.id) return;
    if (open.job) this.patch(job.id, { job });
    clearTimeout(this.logsTimer);
    const wait = TERMINAL_STATUSES.includes(job.status) ? 0 : Math.max(0, this.logsAt + LOGS_EVERY_MS - Date.now());
    this.logsTimer = setTimeout(() => void this.loadLogs(job.id), wait);
  }

  private async loadLogs(jobId: string): Promise<void> {
    this.logsAt = Date.now();
    try {
      const logs = await this.ctx.api.call('get-job-logs', { params: { jobId } });
      this.patch(jobId, { logs, logsError: null });
    } catch (error) {
      this.patch(jobId, { logsError: `Log lines could not be loaded: ${message(error)}` });
    }
  }

  private patch(jobId: string, patch: Partial<JobDetailsState>): void {
    this.ctx.store.set((s) => (s.jobDetails?.jobId === jobId ? { jobDetails: { ...s.jobDetails, ...patch } } : {}));
  }
}
