import type { Adapter, Job } from '#domain/schemas';
import { type ActionContext, message } from './context';

/** The registered LoRAs: a completed job's LoRA kept with its trigger phrase. */
export class LoraRegistryActions {
  constructor(private readonly ctx: ActionContext) {}

  async loadAdapters(): Promise<void> {
    try {
      this.ctx.store.set({ adapters: await this.ctx.api.listAdapters() });
    } catch (error) {
      this.ctx.store.set({ jobsError: `Could not load your registered LoRAs: ${message(error)}` });
    }
  }

  /** A registration pushed over the WebSocket (a schedule's autoRegister, another tab): listed once, newest first. */
  onPush(adapter: Adapter): void {
    this.ctx.store.set((s) => ({ adapters: [adapter, ...s.adapters.filter((a) => a.id !== adapter.id)] }));
  }

  async registerJob(job: Job, name: string): Promise<void> {
    try {
      const adapter = await this.ctx.api.registerAdapter(job.id, name);
      this.onPush(adapter);
    } catch (error) {
      this.ctx.store.set({ jobsError: `Could not register the LoRA: ${message(error)}` });
    }
  }

  async unregister(adapter: Adapter): Promise<void> {
    try {
      await this.ctx.api.deleteAdapter(adapter.id);
      this.ctx.store.set((s) => ({ adapters: s.adapters.filter((a) => a.id !== adapter.id) }));
    } catch (error) {
      this.ctx.store.set({ jobsError: `Could not remove ${adapter.name}: ${message(error)}` });
    }
  }
}
