import { adapterFiles } from '#domain/lora-registry';
import type { Adapter, CreateAdapterImportRequest, Job } from '#domain/schemas';
import { uploadToPresignedPost } from '#web/api';
import { type ActionContext, message } from './context';

/** What the import form reports while a LoRA file goes up. */
export interface ImportProgress { fraction: number }

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

  /**
   * Imports a LoRA file: the adapter (CHECKING) is listed at once; its check's outcome (READY or INVALID) arrives
   * over the WebSocket. Resolves with the adapter's id, or throws with what went wrong.
   */
  async importLora(file: File, request: Omit<CreateAdapterImportRequest, 'fileName' | 'sizeBytes'>, onProgress: (p: ImportProgress) => void): Promise<string> {
    const { adapterId, upload } = await this.ctx.api.call('create-adapter-import', { body: { ...request, fileName: file.name, sizeBytes: file.size } });
    this.ctx.store.set((s) => s.adapters.some((a) => a.id === adapterId) ? {} : {
      adapters: [{ id: adapterId, name: request.name, source: 'import', artifacts: [], status: 'CHECKING', createdAt: new Date().toISOString(),
        ...(request.trainerId ? { trainerId: request.trainerId } : {}), ...(request.triggerPhrase ? { triggerPhrase: request.triggerPhrase } : {}) }, ...s.adapters],
    });
    await uploadToPresignedPost(upload, file, (fraction) => onProgress({ fraction })).done;
    return adapterId;
  }

  /** Short-lived download links of an adapter's files, by name (for the usage snippets). */
  async links(adapter: Adapter): Promise<Record<string, string>> {
    const links = await Promise.all(adapterFiles(adapter).map(async (f) =>
      [f.name, (await this.ctx.api.call('get-adapter-artifact', { params: { adapterId: adapter.id, name: f.name } })).url] as const));
    return Object.fromEntries(links);
  }

  async downloadFile(adapter: Adapter, name: string): Promise<void> {
    try {
      const link = await this.ctx.api.call('get-adapter-artifact', { params: { adapterId: adapter.id, name } });
      window.location.assign(link.url);
    } catch (error) {
      this.ctx.store.set({ jobsError: `Could not download ${name}: ${message(error)}` });
    }
  }
}
