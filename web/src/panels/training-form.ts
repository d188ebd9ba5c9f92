import type { Trainer } from '#domain/schemas';
import { triggerPhraseProblem } from '#domain/training-request';
import { h, fill, icon } from '#web/dom';
import type { Actions } from '#web/actions';
import { type Store, selectedTrainer } from '#web/state';
import { type FieldView, paramField } from './param-field';

/** Trigger phrase (for a trainer that takes one), core hyperparameters and the trainer's own options, all
 * rendered from its catalog entry. */
export function trainingFormPanels(store: Store, actions: Actions): HTMLElement[] {
  const trigger = h('input', {
    id: 'trigger-phrase', 'data-testid': 'trigger-phrase', maxlength: 100, autocomplete: 'off', spellcheck: false,
    placeholder: 'e.g. ohwx person, lwx style', 'aria-describedby': 'trigger-help trigger-error',
  });
  let triggerTouched = false;
  trigger.addEventListener('input', () => {
    triggerTouched = true;
    actions.setTriggerPhrase(trigger.value);
  });
  const triggerError = h('p', { class: 'field-error', id: 'trigger-error', 'data-testid': 'trigger-phrase-error', role: 'alert' });
  const triggerField = h('div', { class: 'field' }, trigger,
    h('p', { class: 'field-help', id: 'trigger-help' }, 'A rare word or short phrase. Put it in your generator prompts to call up what the LoRA learned.'),
    triggerError);
  const triggerSection = h('section', { class: 'side-section', 'aria-labelledby': 'trigger-heading', 'data-testid': 'trigger-section' },
    h('div', { class: 'section-head' }, h('h2', { id: 'trigger-heading' }, h('span', { class: 'step-no' }, '3'), h('label', { for: 'trigger-phrase' }, 'Trigger phrase'))),
    triggerField);

  // The steps after the trigger phrase move up one when the trainer takes none.
  const coreStep = h('span', { class: 'step-no' }, '4');
  const coreBody = h('div', { class: 'fields' });
  const coreSection = h('section', { class: 'side-section', 'aria-labelledby': 'core-heading' },
    h('div', { class: 'section-head' }, h('h2', { id: 'core-heading' }, coreStep, 'Hyperparameters')),
    coreBody);
  const modelStep = h('span', { class: 'step-no' }, '5');
  const modelBody = h('div', { class: 'fields' });
  const modelSection = h('section', { class: 'side-section', 'aria-labelledby': 'model-heading', 'data-testid': 'model-params' },
    h('div', { class: 'section-head' }, h('h2', { id: 'model-heading' }, modelStep, 'Model options')),
    modelBody);

  let fields: { key: string; view: FieldView }[] = [];
  let shownTrainer: Trainer | undefined | null = null;
  let shownFill = store.get().formFill;
  const renderFields = (trainer: Trainer | undefined) => {
    const params = store.get().params;
    fields = [];
    const build = (group: 'core' | 'model') => (trainer?.params ?? []).filter((p) => p.group === group).map((p) => {
      const view = paramField(trainer!, p, params[p.key], (value) => actions.setParam(p.key, value));
      fields.push({ key: p.key, view });
      return view.el;
    });
    const core = build('core');
    const model = build('model');
    fill(coreBody, ...(trainer ? (core.length ? core : [empty('This trainer sets its hyperparameters itself.')]) : [empty('Choose a trainer to see its steps and learning rate.')]));
    fill(modelBody, ...(trainer ? (model.length ? model : [empty('No model-specific options for this trainer.')]) : [empty('Options specific to the chosen trainer appear here.')]));
  };

  const update = () => {
    const s = store.get();
    const trainer = selectedTrainer(s);
    if (trainer !== shownTrainer || s.formFill !== shownFill) {
      shownTrainer = trainer;
      shownFill = s.formFill;
      renderFields(trainer);
      const takesTrigger = trainer?.trigger !== 'none';
      triggerSection.hidden = !takesTrigger;
      coreStep.textContent = takesTrigger ? '4' : '3';
      modelStep.textContent = takesTrigger ? '5' : '4';
    }
    if (trigger.value !== s.triggerPhrase) trigger.value = s.triggerPhrase;
    const clientMessage = trainer && triggerTouched ? triggerPhraseProblem(trainer, s.triggerPhrase) : undefined;
    const triggerMessage = s.serverErrors.triggerPhrase ?? clientMessage ?? '';
    triggerError.textContent = triggerMessage;
    triggerField.classList.toggle('invalid', Boolean(triggerMessage));
    for (const { key, view } of fields) view.showError(s.params[key], s.serverErrors[`params.${key}`]);
  };
  update();
  store.subscribe((s, prev) => {
    if (s.trainerId !== prev.trainerId || s.trainers !== prev.trainers || s.params !== prev.params || s.serverErrors !== prev.serverErrors || s.triggerPhrase !== prev.triggerPhrase || s.formFill !== prev.formFill) update();
  });
  return [triggerSection, coreSection, modelSection];
}

function empty(text: string): HTMLElement {
  return h('p', { class: 'empty-inline' }, icon('info'), text);
}
