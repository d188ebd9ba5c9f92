import type { Trainer } from '#domain/schemas';
import { priceSummary } from '#domain/estimates';
import { h, icon, fill } from '#web/dom';
import { type Store, selectedTrainer } from '#web/state';

/** Main panel, left card: what the chosen trainer is and what it needs. */
export function modelDetailsPanel(store: Store): HTMLElement {
  const body = h('div', { class: 'card-body' });
  const el = h('section', { class: 'card model-card', 'data-testid': 'model-details', 'aria-label': 'Selected model' }, body);
  let shown: Trainer | undefined | null = null;
  let shownLoaded: boolean | null = null;
  const update = () => {
    const s = store.get();
    const trainer = selectedTrainer(s);
    const loaded = s.trainers.length > 0;
    if (trainer === shown && loaded === shownLoaded) return;
    shown = trainer;
    shownLoaded = loaded;
    if (!trainer) {
      fill(body, h('div', { class: 'empty' },
        h('span', { class: 'empty-icon' }, icon('chip')),
        h('h2', {}, loaded ? 'Choose a training model' : s.trainersError ? 'The trainer catalog is unavailable' : 'Loading the trainer catalog…'),
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
        rule('Captions (.txt)', rules.captions === 'required' ? 'Required' : rules.captions === 'optional' ? 'Optional' : 'Not used'),
        rule('Output', trainer.outputFormat ?? 'LoRA (.safetensors)'),
        trainer.price ? h('div', { class: 'rule', 'data-testid': 'model-price', title: `Source: ${trainer.price.source} (recorded ${trainer.price.asOf})` },
          h('dt', {}, 'Price'), h('dd', {}, priceSummary(trainer))) : null),
      modelParams.length
        ? h('div', {}, h('h3', {}, 'Model options'),
          h('div', { class: 'option-chips' }, ...modelParams.map((p) => h('span', { class: 'option-chip', title: p.help }, p.label))))
        : null);
  };
  update();
  store.subscribe((s, prev) => {
    if (s.trainerId !== prev.trainerId || s.trainers !== prev.trainers || s.trainersError !== prev.trainersError) update();
  });
  return el;
}

const rule = (term: string, value: string) => h('div', { class: 'rule' }, h('dt', {}, term), h('dd', {}, value));
