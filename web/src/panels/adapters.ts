import type { Adapter } from '#domain/schemas';
import type { Actions } from '#web/actions';
import { fill, h, icon } from '#web/dom';
import { formatBytes, relativeTime } from '#web/format';
import type { Store } from '#web/state';

/** Registered LoRAs: the trained files kept for use in generators, each with the phrase that calls it up. */
export function adaptersPanel(store: Store, actions: Actions): HTMLElement {
  const list = h('ul', { class: 'adapter-list', 'data-testid': 'adapter-list' });
  const empty = h('p', { class: 'muted adapters-empty', 'data-testid': 'adapters-empty' },
    'Register a completed job’s LoRA to keep it here with its trigger phrase, ready for your generator prompts.');
  const el = h('section', { class: 'card adapters-card', 'aria-labelledby': 'adapters-heading', 'data-testid': 'adapters-panel' },
    h('div', { class: 'card-title-row' }, h('h2', { id: 'adapters-heading' }, 'Registered LoRAs')),
    list, empty);

  const update = () => {
    const { adapters, jobs } = store.get();
    empty.hidden = adapters.length > 0;
    fill(list, ...adapters.map((adapter) => row(adapter, jobs.find((j) => j.id === adapter.jobId) !== undefined)));
  };
  const row = (adapter: Adapter, jobListed: boolean) => {
    const remove = h('button', { class: 'btn btn-ghost btn-sm btn-danger', type: 'button', 'data-testid': 'adapter-remove', title: `Unregister ${adapter.name}` }, icon('stop'), 'Remove');
    remove.addEventListener('click', () => {
      remove.disabled = true;
      void actions.unregister(adapter);
    });
    const download = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'adapter-download', disabled: !adapter.jobId }, icon('download'), 'Download');
    download.addEventListener('click', () => {
      const job = store.get().jobs.find((j) => j.id === adapter.jobId);
      if (job) void actions.downloadJob(job);
    });
    if (!jobListed) download.title = 'The job that trained it is older than the jobs list shows.';
    return h('li', { class: 'adapter-row', 'data-testid': 'adapter-row', 'data-adapter-id': adapter.id },
      h('div', { class: 'adapter-main' },
        h('span', { class: 'adapter-name' }, adapter.name),
        adapter.triggerPhrase && h('span', { class: 'trigger-chip', title: 'Trigger phrase: put it in your prompts' }, icon('tag'), adapter.triggerPhrase)),
      h('div', { class: 'adapter-meta muted' },
        h('code', {}, adapter.trainerId), ` · ${formatBytes(adapter.artifacts.reduce((sum, f) => sum + f.sizeBytes, 0))} · registered ${relativeTime(adapter.createdAt)}`),
      h('div', { class: 'adapter-actions' }, download, remove));
  };
  update();
  store.subscribe((s, prev) => (s.adapters !== prev.adapters || s.jobs !== prev.jobs) && update());
  return el;
}
