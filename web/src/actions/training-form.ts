import type { Job } from '#domain/schemas';
import { defaultValues, valuesFromJob } from '#web/params';
import { type ActionContext, message } from './context';

/** The trainer catalog and the values of the training form. */
export class TrainingFormActions {
  constructor(private readonly ctx: ActionContext) {}

  async loadTrainers(): Promise<void> {
    const { store, api } = this.ctx;
    store.set({ trainersError: null });
    try {
      const list = await api.listTrainers();
      const remembered = localStorage.getItem('loraworks.trainer');
      const current = store.get().trainerId;
      const keep = list.trainers.find((t) => t.id === current) ?? list.trainers.find((t) => t.id === remembered);
      store.set({ trainers: list.trainers, trainerSource: list.source });
      if (keep) this.selectTrainer(keep.id);
    } catch (error) {
      store.set({ trainersError: message(error) });
    }
  }

  selectTrainer(trainerId: string | null): void {
    if (trainerId) localStorage.setItem('loraworks.trainer', trainerId);
    const trainer = this.ctx.store.get().trainers.find((t) => t.id === trainerId);
    this.ctx.store.set({ trainerId, params: trainer ? defaultValues(trainer) : {}, serverErrors: {}, formError: null });
  }

  /** The form filled with a job's trainer, trigger phrase and parameters; says what could not be carried over. */
  fillFrom(job: Job): void {
    const { store } = this.ctx;
    const trainer = store.get().trainers.find((t) => t.id === job.trainerId);
    if (!trainer) {
      store.set({ formError: `The trainer ${job.trainerId} of that job is not offered any more; pick another trainer.` });
      return;
    }
    localStorage.setItem('loraworks.trainer', trainer.id);
    const { values, dropped } = valuesFromJob(trainer, job.params);
    store.set((s) => ({
      trainerId: trainer.id, params: values, triggerPhrase: job.triggerPhrase, serverErrors: {}, formFill: s.formFill + 1,
      formError: dropped.length ? `Filled from the job; ${trainer.name} no longer takes ${dropped.join(', ')}, so ${dropped.length === 1 ? 'it was' : 'they were'} left out.` : null,
    }));
  }

  setParam(key: string, value: string | boolean): void {
    this.ctx.store.set((s) => ({ params: { ...s.params, [key]: value }, serverErrors: without(s.serverErrors, `params.${key}`) }));
  }

  setTriggerPhrase(triggerPhrase: string): void {
    this.ctx.store.set((s) => ({ triggerPhrase, serverErrors: without(s.serverErrors, 'triggerPhrase') }));
  }
}

function without(record: Record<string, string>, key: string): Record<string, string> {
  if (!(key in record)) return record;
  const { [key]: _, ...rest } = record;
  return rest;
}
