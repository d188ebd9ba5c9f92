import { h, icon } from '#web/dom';
import type { Actions } from '#web/actions';
import { type Store, selectedTrainer } from '#web/state';

export function trainerSelectPanel(store: Store, actions: Actions): HTMLElement {
  const select = h('select', {
    id: 'trainer-select', 'data-testid': 'trainer-select',
    onchange: () => actions.selectTrainer(select.value || null),
  });
  const source = h('span', { class: 'chip', 'data-testid': 'trainer-source' });
  const note = h('p', { class: 'hint' });
  const error = h('div', { class: 'inline-alert', role: 'alert', hidden: true });
  const el = h('section', { class: 'side-section', 'aria-labelledby': 'trainer-heading' },
    h('div', { class: 'section-head' }, h('h2', { id: 'trainer-heading' }, h('span', { class: 'step-no' }, '1'), 'Training model'), source),
    h('label', { for: 'trainer-select', class: 'sr-only' }, 'Training model'),
    h('div', { class: 'select-wrap' }, select),
    note, error);

  let shownTrainers: unknown = null;
  const update = () => {
    const s = store.get();
    if (s.trainers !== shownTrainers) {
      shownTrainers = s.trainers;
      select.replaceChildren(
        h('option', { value: '' }, s.trainers.length ? 'Select a trainer…' : 'Loading trainers…'),
        ...groupByKind(s.trainers).map(([kind, list]) =>
          h('optgroup', { label: kind === 'video' ? 'Video' : 'Image' }, ...list.map((t) => h('option', { value: t.id }, t.name)))),
      );
    }
    select.value = s.trainerId ?? '';
    select.disabled = !s.trainers.length;
    source.hidden = !s.trainerSource;
    source.className = `chip ${s.trainerSource === 'fallback' ? 'chip-warn' : 'chip-ok'}`;
    source.textContent = s.trainerSource === 'fallback' ? 'Built-in catalog' : 'Live catalog';
    source.title = s.trainerSource === 'fallback'
      ? 'The provider catalog could not be reached; built-in defaults for the known trainers are shown.'
      : 'Trainers and their parameters come from the provider’s metadata.';
    const trainer = selectedTrainer(s);
    note.textContent = trainer
      ? `${trainer.provider} · ${trainer.id}`
      : s.trainerSource === 'fallback' ? 'Provider metadata unavailable — showing built-in defaults.' : 'The model decides dataset rules and available options.';
    error.hidden = !s.trainersError;
    error.replaceChildren(icon('alert'), h('span', {}, s.trainersError ?? ''),
      h('button', { class: 'link-btn', type: 'button', onclick: () => void actions.loadTrainers() }, 'Retry'));
  };
  update();
  store.subscribe(update);
  return el;
}

function groupByKind<T extends { kind: string }>(items: T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.kind, [...(groups.get(item.kind) ?? []), item]);
  return [...groups.entries()];
}
