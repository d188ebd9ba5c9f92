import type { Job } from '#domain/schemas';
import { ApiError, type JobRequest } from '#web/api';
import { collectParams } from '#web/params';
import { requestTrigger } from '#web/readiness';
import { selectedTrainer, upsertJob } from '#web/state';
import { type ActionContext, message } from './context';

/** Starting, listing, cancelling and downloading training jobs. */
export class JobActions {
  /** Reused when the same submission is retried after a lost answer, so one click never makes two jobs. */
  private pendingJob: { body: string; key: string } | null = null;
  /** The form the last estimate was asked for. */
  private estimated: string | null = null;

  constructor(private readonly ctx: ActionContext) {}

  async refreshJobs(): Promise<void> {
    try {
      const list = await this.ctx.api.listJobs(50);
      this.ctx.store.set((s) => {
        // Keep pushes that arrived while the list was in flight if they are newer.
        let jobs = list.jobs;
        for (const job of s.jobs) jobs = upsertJob(jobs, job);
        return { jobs: jobs.slice(0, Math.max(50, list.jobs.length)), jobsPhase: 'ready', jobsError: null };
      });
    } catch (error) {
      this.ctx.store.set({ jobsPhase: this.ctx.store.get().jobs.length ? 'ready' : 'error', jobsError: message(error) });
    }
  }

  /** The request the form describes: null without a trainer or a dataset version, or with values to fix first. */
  private formRequest(): { request: JobRequest | null; invalid: boolean } {
    const s = this.ctx.store.get();
    const trainer = selectedTrainer(s);
    if (!trainer || !s.dataset?.version) return { request: null, invalid: false };
    const { values, errors } = collectParams(trainer, s.params);
    if (Object.keys(errors).length) return { request: null, invalid: true };
    const triggerPhrase = requestTrigger(trainer, s.triggerPhrase);
    return {
      request: { trainerId: trainer.id, datasetId: s.dataset.id, datasetVersion: s.dataset.version.version, ...(triggerPhrase === undefined ? {} : { triggerPhrase }), params: values },
      invalid: false,
    };
  }

  /** Asks POST /jobs/estimate about the form as it is; an answer to an older form is dropped. */
  async estimate(): Promise<void> {
    const { store, api } = this.ctx;
    const { request, invalid } = this.formRequest();
    const body = request && JSON.stringify(request);
    this.estimated = body;
    if (!request) {
      store.set((s) => ({ estimate: invalid ? { ...s.estimate, phase: 'error', error: 'fix the highlighted values first.' } : { phase: 'idle', value: null, error: null } }));
      return;
    }
    store.set((s) => ({ estimate: { ...s.estimate, phase: 'loading' } }));
    try {
      const value = await api.estimateJob(request);
      if (this.estimated === body) store.set({ estimate: { phase: 'ready', value, error: null } });
    } catch (error) {
      const detail = error instanceof ApiError ? error.details[0]?.message : undefined;
      if (this.estimated === body) store.set((s) => ({ estimate: { ...s.estimate, phase: 'error', error: detail ?? message(error) } }));
    }
  }

  async startTraining(): Promise<void> {
    const { store, api } = this.ctx;
    if (store.get().submitting) return;
    const { request } = this.formRequest();
    if (!request) return;
    store.set({ submitting: true, formError: null, serverErrors: {} });
    const body = JSON.stringify(request);
    if (this.pendingJob?.body !== body) this.pendingJob = { body, key: crypto.randomUUID() };
    try {
      const job = await api.createJob(request, this.pendingJob.key);
      this.pendingJob = null;
      store.set((st) => ({ jobs: upsertJob(st.jobs, job), jobsPhase: 'ready', submitting: false }));
    } catch (error) {
      // A definite refusal ends this submission; a lost answer or a server error keeps the key for the retry.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) this.pendingJob = null;
      const serverErrors: Record<string, string> = {};
      let formError: string | null = message(error);
      if (error instanceof ApiError && error.details.length) {
        for (const detail of error.details) serverErrors[detail.field] = detail.message;
        formError = error.status === 422 ? 'Some values need fixing — see the highlighted fields.' : error.message;
      }
      store.set({ submitting: false, serverErrors, formError });
    }
  }

  async cancelJob(job: Job): Promise<void> {
    try {
      const updated = await this.ctx.api.cancelJob(job.id);
      this.ctx.store.set((s) => ({ jobs: upsertJob(s.jobs, updated) }));
    } catch (error) {
      this.ctx.store.set({ jobsError: `Could not cancel: ${message(error)}` });
      void this.refreshJobs();
    }
  }

  async downloadJob(job: Job): Promise<void> {
    try {
      const link = await this.ctx.api.artifact(job.id);
      window.location.assign(link.url);
    } catch (error) {
      this.ctx.store.set({ jobsError: `Could not download: ${message(error)}` });
    }
  }

  /** One of a completed job's files, by its name in the job's artifacts. */
  async downloadArtifact(job: Job, name: string): Promise<void> {
    try {
      const link = await this.ctx.api.jobArtifact(job.id, name);
      window.location.assign(link.url);
    } catch (error) {
      this.ctx.store.set({ jobsError: `Could not download ${name}: ${message(error)}` });
    }
  }

  dismissJobsError(): void {
    this.ctx.store.set({ jobsError: null });
  }

  onPush(job: Job): void {
    this.ctx.store.set((s) => ({ jobs: upsertJob(s.jobs, job), jobsPhase: 'ready' }));
  }
}
