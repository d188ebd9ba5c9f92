import { diffBase, diffSummary } from '#domain/dataset-diff';
import type { DatasetVersion, ServerMessage } from '#domain/schemas';
import { ApiError } from '#web/api';
import type { DatasetVersionsState } from '#web/state';
import { type ActionContext, message } from './context';

const DECIDED: DatasetVersion['status'][] = ['READY', 'INVALID'];
/** Diffs fetched at once for the newest versions; older rows fetch theirs when asked. */
const EAGER_DIFFS = 8;

/** The chosen dataset's versions with what changed in each, kept live by the `{type: 'dataset'}` pushes. */
export class DatasetVersionActions {
  private loading: string | null = null;

  constructor(private readonly ctx: ActionContext) {}

  async load(datasetId: string | null): Promise<void> {
    const { store, api } = this.ctx;
    if (!datasetId) {
      store.set({ versions: null });
      return;
    }
    this.loading = datasetId;
    try {
      const dataset = await api.getDataset(datasetId);
      if (this.loading !== datasetId) return;
      const previous = store.get().versions;
      const list = [...(dataset.versions ?? [])].sort((a, b) => b.version - a.version);
      store.set({ versions: { datasetId, list, diffs: previous?.datasetId === datasetId ? previous.diffs : {} } });
      for (const version of list.slice(0, EAGER_DIFFS)) void this.loadDiff(datasetId, version);
    } catch (error) {
      if (this.loading === datasetId && !(error instanceof ApiError && error.status === 404)) {
        store.set({ versions: { datasetId, list: [], diffs: {} } });
      }
    }
  }

  /** "+3 −1, 2 captions changed" against the version's parent, once the version is decided. */
  async loadDiff(datasetId: string, version: DatasetVersion): Promise<void> {
    if (!DECIDED.includes(version.status)) return;
    const setDiff = (text: string) => this.ctx.store.set((s) => (s.versions?.datasetId === datasetId
      ? { versions: { ...s.versions, diffs: { ...s.versions.diffs, [version.version]: text } } } : {}));
    if (this.ctx.store.get().versions?.diffs[version.version]) return;
    if (diffBase(version) === 0) return setDiff('first version');
    try {
      const diff = await this.ctx.api.datasetDiff(datasetId, version.version);
      setDiff(`${diffSummary(diff)} from v${diff.from}`);
    } catch (error) {
      // A version validated before file lists were kept (or its parent) has nothing to compare.
      setDiff(error instanceof ApiError && error.status === 409 ? 'changes not known (validated before file lists)' : `changes not loaded: ${message(error)}`);
    }
  }

  onPush(m: Extract<ServerMessage, { type: 'dataset' }>): void {
    const current = this.ctx.store.get().versions;
    if (current?.datasetId !== m.datasetId) return;
    const list = [m.version, ...current.list.filter((v) => v.version !== m.version.version)].sort((a, b) => b.version - a.version);
    this.ctx.store.set({ versions: { ...current, list } satisfies DatasetVersionsState });
    void this.loadDiff(m.datasetId, m.version);
  }
}
