import type { Trainer } from '../../../functions/domain/schemas';
import { h, icon, fill } from '../dom';
import { type Store, selectedTrainer } from '../state';

/** Main panel, left card: what the chosen trainer is and what it needs. */
export function modelDetailsPanel(store: Store): HTMLElement {
  const body = h('div', { class: 'card-body' });
  const el = h('section', { class: 'card model-card', 'data-testid': 'model-details', 'aria-label': 'Selected model' }, body);
  let shown: Trainer | undefined | null = null;
  const update = () => {
    const s = store.get();
    const trainer = selectedTrainer(s);
    if (trainer === shown) return;
    shown = trainer;
    if (!trainer) {
      fill(body, h('div', { class: 'empty' },
        h('span', { class: 'empty-icon' }, icon('chip')),
        h('h2', {}, s.trainers.length ? 'Choose a training model' : 'Loading the trainer catalog…'),
        h('p', { class: 'muted' }, 'The model decides which data it accepts, which options it offers and what file it produces. Pick one in the sidebar to see its details here.')));
      return;
    }
    const rules = trainer.dataset;
    const modelParams = trainer.params.filter((p) => p.group === 'model');
    fill(body,
      h('div', { class: 'model-head' },
        h('span', { class: `kind-icon kind-${trainer.kind}` }, icon(trainer.kind === 'video' ? 'play' : 'sparkle')),
        h('div', {},
          h('h2', { 'data-testid': 'model-name' }, trainer.name),
          h('div', { class: 'model-id' }, h('code', {}, trainer.id))),
        h('div', { class: 'chips' },
          h('span', { class: 'chip' }, trainer.kind === 'video' ? 'Video' : 'Image'),
          h('span', { class: 'chip' }, trainer.provider),
          trainer.outputFormat ? h('span', { class: 'chip' }, trainer.outputFormat) : null)),
      h('p', { class: 'model-desc' }, trainer.description),
      h('h3', {}, 'Dataset rules'),
      h('dl', { class: 'rules' },
        rule(trainer.kind === 'video' ? 'Files' : 'Images', rules.maxImages ? `${rules.minImages} – ${rules.maxImages}` : `at least ${rules.minImages}`),
        rule('Formats', rules.formats.map((f) => f.toUpperCase()).join(' · ')),
        rule('Captions', rules.captions === 'required' ? 'Required (.txt next to each file)' : rules.captions === 'optional' ? 'Optional (.txt next to each file)' : 'Not used'),
        rule('Output', trainer.outputFormat ?? 'LoRA (.safetensors)')),
      modelParams.length
        ? h('div', {}, h('h3', {}, 'Model options'),
          h('ul', { class: 'option-list' }, ...modelParams.map((p) => h('li', {}, h('strong', {}, p.label), h('span', { class: 'muted' }, ` — ${p.help}`)))))
        : null);
  };
  update();
  store.subscribe((s, prev) => {
    if (s.trainerId !== prev.trainerId || s.trainers !== prev.trainers) update();
  });
  return el;
}

const rule = (term: string, value: string) => h('div', { class: 'rule' }, h('dt', {}, term), h('dd', {}, value));
