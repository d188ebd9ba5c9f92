import { adapterFiles } from '#domain/lora-registry';
import type { Adapter } from '#domain/schemas';
import type { Actions } from '#web/actions';
import { ROLE_LABELS } from '#web/artifact-rules';
import { fill, h, icon } from '#web/dom';
import { formatBytes, relativeTime } from '#web/format';
import type { Store } from '#web/state';
import { adapterImportForm } from './adapter-import';
import { adapterUsage } from './adapter-usage';

const SOURCE_WORDS: Record<Adapter['source'], string> = { job: 'registered', import: 'imported', schedule: 'registered by its schedule' };

/** Registered LoRAs: the trained (or imported) files kept for use in generators, each with how to use it. */
export function adaptersPanel(store: Store, actions: Actions): HTMLElement {
  const list = h('ul', { class: 'adapter-list', 'data-testid': 'adapter-list' });
  const empty = h('p', { class: 'muted adapters-empty', 'data-testid': 'adapters-empty' },
    'Register a completed job’s LoRA, or import one trained elsewhere, to keep it here with its trigger phrase, ready for your generator prompts.');
  const importForm = adapterImportForm(store, actions);
  importForm.hidden = true;
  const importToggle = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'import-open', 'aria-expanded': 'false' }, icon('upload'), 'Import a LoRA');
  importToggle.addEventListener('click', () => {
    importForm.hidden = !importForm.hidden;
    importToggle.setAttribute('aria-expanded', String(!importForm.hidden));
  });
  const el = h('section', { class: 'card adapters-card', 'aria-labelledby': 'adapters-heading', 'data-testid': 'adapters-panel' },
    h('div', { class: 'card-title-row' }, h('h2', { id: 'adapters-heading' }, 'Registered LoRAs'), importToggle),
    importForm, list, empty);

  // A row's usage block keeps its state (open, links) across updates of other rows.
  const usage = new Map<string, { key: string; el: HTMLElement }>();
  const usageOf = (adapter: Adapter) => {
    const key = JSON.stringify([adapter.status, adapter.triggerPhrase, adapter.artifacts]);
    const kept = usage.get(adapter.id);
    if (kept?.key === key) return kept.el;
    const made = adapterUsage(adapter, () => actions.adapterLinks(adapter));
    usage.set(adapter.id, { key, el: made });
    return made;
  };

  const update = () => {
    const { adapters } = store.get();
    empty.hidden = adapters.length > 0;
    fill(list, ...adapters.map(row));
  };
  const statusLine = (adapter: Adapter) => {
    if (adapter.status === 'CHECKING') {
      return h('span', { class: 'badge badge-validating', 'data-testid': 'adapter-status' }, icon('spinner', 'spin'), 'Checking the file');
    }
    if (adapter.status === 'INVALID') return h('span', { class: 'badge badge-invalid', 'data-testid': 'adapter-status' }, icon('alert'), 'Refused');
    return null;
  };
  const row = (adapter: Adapter) => {
    const remove = h('button', { class: 'btn btn-ghost btn-sm btn-danger', type: 'button', 'data-testid': 'adapter-remove', title: `Unregister ${adapter.name}` }, icon('stop'), 'Remove');
    remove.addEventListener('click', () => {
      remove.disabled = true;
      void actions.unregister(adapter);
    });
    const files = adapter.status === 'CHECKING' || adapter.status === 'INVALID' ? [] : adapterFiles(adapter);
    const fileList = files.length > 0 && h('ul', { class: 'adapter-files', 'data-testid': 'adapter-files' }, ...files.map((file) => {
      const download = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'adapter-download', 'data-file': file.name, title: `Download ${file.name}` },
        icon('download'), file.name);
      download.addEventListener('click', () => void actions.downloadAdapterFile(adapter, file.name));
      return h('li', { class: 'adapter-file' }, download, h('span', { class: 'muted' }, `${ROLE_LABELS[file.role]} · ${formatBytes(file.sizeBytes)}`));
    }));
    const size = files.reduce((sum, f) => sum + f.sizeBytes, 0);
    return h('li', { class: 'adapter-row', 'data-testid': 'adapter-row', 'data-adapter-id': adapter.id, 'data-status': adapter.status ?? 'READY' },
      h('div', { class: 'adapter-main' },
        h('span', { class: 'adapter-name' }, adapter.name),
        adapter.triggerPhrase && h('span', { class: 'trigger-chip', title: 'Trigger phrase: put it in your prompts' }, icon('tag'), adapter.triggerPhrase),
        statusLine(adapter)),
      h('div', { class: 'adapter-meta muted' },
        adapter.trainerId && h('code', {}, adapter.trainerId),
        `${adapter.trainerId ? ' · ' : ''}${size ? `${formatBytes(size)} · ` : ''}${SOURCE_WORDS[adapter.source]} ${relativeTime(adapter.createdAt)}`),
      adapter.status === 'INVALID' && h('p', { class: 'field-error adapter-error', 'data-testid': 'adapter-error' }, adapter.error?.message ?? 'The file is not a LoRA.'),
      fileList,
      files.length > 0 && usageOf(adapter),
      h('div', { class: 'adapter-actions' }, remove));
  };
  update();
  store.subscribe((s, prev) => s.adapters !== prev.adapters && update());
  return el;
}
