import type { Schedule, ScheduleRun } from '#domain/schemas';
import { ApiError } from '#web/api';
import { collectParams } from '#web/params';
import { requestTrigger, scheduleBlockers } from '#web/readiness';
import { closedScheduleForm, selectedTrainer, type ScheduleFormState, type ScheduleRunsState, upsertSchedule } from '#web/state';
import { type ActionContext, message } from './context';

/** What the "Retrain on a schedule" dialog adds to the training form: when, in which zone, and what to do. */
export interface ScheduleDraft {
  name: string;
  expression: string;
  timezone: string;
  onlyIfDatasetChanged: boolean;
  autoRegister: boolean;
}

const RUNS_SHOWN = 10;

/** Schedules that retrain the chosen dataset: created from the training form, listed live, paused, run, deleted. */
export class ScheduleActions {
  constructor(private readonly ctx: ActionContext, private readonly refreshJobs: () => Promise<void>) {}

  private patchForm(change: Partial<ScheduleFormState>): void {
    this.ctx.store.set((s) => ({ scheduleForm: { ...s.scheduleForm, ...change } }));
  }

  private patchRuns(id: string, runs: ScheduleRunsState | null): void {
    this.ctx.store.set((s) => {
      const { [id]: _, ...rest } = s.scheduleRuns;
      return { scheduleRuns: runs ? { ...rest, [id]: runs } : rest };
    });
  }

  private busy(id: string, on: boolean): void {
    this.ctx.store.set((s) => ({ scheduleBusy: on ? [...s.scheduleBusy, id] : s.scheduleBusy.filter((x) => x !== id) }));
  }

  async load(): Promise<void> {
    try {
      const { schedules } = await this.ctx.api.call('list-schedules');
      this.ctx.store.set((s) => {
        // Keep pushes that arrived while the list was in flight if they are newer.
        let list = schedules.slice().sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
        for (const known of s.schedules) if (list.some((x) => x.id === known.id)) list = upsertSchedule(list, known);
        return { schedules: list, schedulesPhase: 'ready', schedulesError: null };
      });
    } catch (error) {
      this.ctx.store.set((s) => ({ schedulesPhase: s.schedules.length ? 'ready' : 'error', schedulesError: `Your schedules could not be loaded: ${message(error)}` }));
    }
  }

  openForm(): void {
    this.ctx.store.set({ scheduleForm: { ...closedScheduleForm(), open: true } });
  }

  closeForm(): void {
    this.ctx.store.set({ scheduleForm: closedScheduleForm() });
  }

  /** Resolves true once the schedule exists (the dialog closes); false when it was refused (the dialog says why). */
  async create(draft: ScheduleDraft): Promise<boolean> {
    const { store, api } = this.ctx;
    const s = store.get();
    const trainer = selectedTrainer(s);
    if (s.scheduleForm.creating || !trainer || !s.dataset) return false;
    const blockers = scheduleBlockers(s);
    if (blockers.length) {
      this.patchForm({ error: blockers.join(' ') });
      return false;
    }
    const name = draft.name.trim();
    if (!name) {
      this.patchForm({ fieldErrors: { name: 'Give the schedule a name, such as “weekly retrain”.' } });
      return false;
    }
    const { values } = collectParams(trainer, s.params);
    const triggerPhrase = requestTrigger(trainer, s.triggerPhrase);
    this.patchForm({ creating: true, error: null, fieldErrors: {} });
    try {
      const schedule = await api.call('create-schedule', {
        body: {
          name, datasetId: s.dataset.id, trainerId: trainer.id, ...(triggerPhrase === undefined ? {} : { triggerPhrase }), params: values,
          expression: draft.expression, timezone: draft.timezone, onlyIfDatasetChanged: draft.onlyIfDatasetChanged, autoRegister: draft.autoRegister,
        },
      });
      store.set((st) => ({ schedules: upsertSchedule(st.schedules, schedule), schedulesPhase: 'ready', scheduleForm: closedScheduleForm() }));
      return true;
    } catch (error) {
      const fieldErrors: Record<string, string> = {};
      if (error instanceof ApiError) for (const detail of error.details) fieldErrors[detail.field.replace(/^body\./, '')] = detail.message;
      const formError = error instanceof ApiError && error.status === 422 && error.details.length
        ? 'Some values need fixing — see the highlighted fields.' : `The schedule was not created: ${message(error)}`;
      this.patchForm({ creating: false, fieldErrors, error: formError });
      return false;
    }
  }

  /** Pause (enabled false) or resume a schedule. */
  async setEnabled(schedule: Schedule, enabled: boolean): Promise<void> {
    this.busy(schedule.id, true);
    try {
      const updated = await this.ctx.api.call('update-schedule', { params: { scheduleId: schedule.id }, body: { enabled } });
      this.ctx.store.set((s) => ({ schedules: upsertSchedule(s.schedules, updated), schedulesError: null }));
    } catch (error) {
      this.fail(schedule, `“${schedule.name}” was not ${enabled ? 'resumed' : 'paused'}: ${message(error)}`, error);
    } finally {
      this.busy(schedule.id, false);
    }
  }

  /** A run now, with the same rules as a firing: it may start a job, or be skipped or fail with its reason. */
  async runNow(schedule: Schedule): Promise<ScheduleRun | null> {
    this.busy(schedule.id, true);
    try {
      const run = await this.ctx.api.call('run-schedule', { params: { scheduleId: schedule.id } });
      this.ctx.store.set((s) => ({
        schedules: s.schedules.map((x) => (x.id === run.scheduleId && (!x.lastRun || x.lastRun.at <= run.at) ? { ...x, lastRun: run } : x)),
        schedulesError: null,
      }));
      if (this.ctx.store.get().scheduleRuns[schedule.id]) void this.loadRuns(schedule.id);
      if (run.jobId && !this.ctx.store.get().jobs.some((j) => j.id === run.jobId)) void this.refreshJobs();
      return run;
    } catch (error) {
      this.fail(schedule, `“${schedule.name}” did not run: ${message(error)}`, error);
      return null;
    } finally {
      this.busy(schedule.id, false);
    }
  }

  /** Deletes the schedule (its Scheduler schedule goes with it; its jobs and LoRAs stay). */
  async remove(schedule: Schedule): Promise<void> {
    this.busy(schedule.id, true);
    try {
      await this.ctx.api.call('delete-schedule', { params: { scheduleId: schedule.id } });
      this.forget(schedule.id);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.forget(schedule.id);
      else this.ctx.store.set({ schedulesError: `“${schedule.name}” was not deleted: ${message(error)}` });
    } finally {
      this.busy(schedule.id, false);
    }
  }

  /** Opens (and loads) or closes the runs history of a schedule. */
  toggleRuns(id: string): void {
    if (this.ctx.store.get().scheduleRuns[id]) this.patchRuns(id, null);
    else void this.loadRuns(id);
  }

  async loadRuns(id: string): Promise<void> {
    const shown = this.ctx.store.get().scheduleRuns[id];
    this.patchRuns(id, { phase: shown?.phase === 'ready' ? 'ready' : 'loading', runs: shown?.runs ?? [] });
    try {
      const { runs } = await this.ctx.api.call('list-schedule-runs', { params: { scheduleId: id }, query: { limit: RUNS_SHOWN } });
      if (this.ctx.store.get().scheduleRuns[id]) this.patchRuns(id, { phase: 'ready', runs });
    } catch (error) {
      if (this.ctx.store.get().scheduleRuns[id]) this.patchRuns(id, { phase: 'error', runs: shown?.runs ?? [], error: `The runs could not be loaded: ${message(error)}` });
    }
  }

  /** "Show the job" of a run: the jobs list scrolls to it (fetched first if the list does not hold it yet). */
  async showJob(jobId: string): Promise<void> {
    if (!this.ctx.store.get().jobs.some((j) => j.id === jobId)) await this.refreshJobs();
    this.ctx.store.set({ focusedJobId: jobId });
  }

  dismissError(): void {
    this.ctx.store.set({ schedulesError: null });
  }

  /** A pushed schedule replaces an older copy; an open runs history follows a new run. */
  onPush(schedule: Schedule): void {
    const before = this.ctx.store.get().schedules.find((x) => x.id === schedule.id);
    this.ctx.store.set((s) => ({ schedules: upsertSchedule(s.schedules, schedule), schedulesPhase: 'ready' }));
    const runs = this.ctx.store.get().scheduleRuns[schedule.id];
    if (runs && schedule.lastRun && schedule.lastRun.id !== before?.lastRun?.id && runs.runs[0]?.id !== schedule.lastRun.id) void this.loadRuns(schedule.id);
  }

  private forget(id: string): void {
    this.ctx.store.set((s) => {
      const { [id]: _, ...runs } = s.scheduleRuns;
      return { schedules: s.schedules.filter((x) => x.id !== id), scheduleRuns: runs, schedulesError: null };
    });
  }

  private fail(schedule: Schedule, text: string, error: unknown): void {
    // Deleted elsewhere (the CLI, another tab): the row goes.
    if (error instanceof ApiError && error.status === 404) this.forget(schedule.id);
    else this.ctx.store.set({ schedulesError: text });
  }
}
