import { h, icon, fill } from '#web/dom';
import { estimateLine } from '#domain/estimate-line';
import type { Actions } from '#web/actions';
import { scheduleBlockers, startBlockers } from '#web/readiness';
import type { Store } from '#web/state';

/** The submit action, sticky at the bottom of the sidebar, saying what still blocks it. */
export function startTrainingPanel(store: Store, actions: Actions): HTMLElement {
  const label = h('span', {}, 'Start training');
  const button = h('button', {
    class: 'btn btn-primary btn-block btn-lg', type: 'button', 'data-testid': 'start-training', 'aria-describedby': 'start-why',
    onclick: () => void actions.startTraining(),
  }, icon('play'), label);
  const schedule = h('button', {
    class: 'btn btn-ghost btn-block schedule-open', type: 'button', 'data-testid': 'schedule-open',
    onclick: () => actions.openScheduleForm(),
  }, icon('clock'), 'Retrain on a schedule');
  const why = h('ul', { class: 'blockers', id: 'start-why', 'data-testid': 'start-blockers', 'aria-live': 'polite' });
  const formError = h('div', { class: 'inline-alert', role: 'alert', 'data-testid': 'start-error', hidden: true });
  const estimate = h('p', { class: 'start-estimate', 'data-testid': 'start-estimate', 'aria-live': 'polite', hidden: true });
  const el = h('div', { class: 'start-bar' }, formError, button, estimate, schedule, why);

  // The estimate follows the form: asked again a moment after the last change, not on every keystroke.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const askSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void actions.estimateJob(), 400);
  };
  const showEstimate = () => {
    const { phase, value, error } = store.get().estimate;
    estimate.hidden = phase === 'idle' || (phase === 'loading' && !value);
    estimate.classList.toggle('stale', phase === 'loading');
    estimate.classList.toggle('failed', phase === 'error');
    if (phase === 'error') {
      estimate.textContent = `no estimate: ${error ?? 'unknown error'}`;
      estimate.title = 'The cost and time of this run could not be estimated.';
    } else if (value) {
      estimate.textContent = estimateLine(value);
      estimate.title = `An estimate, not a quote: the trainer bills what it bills. ${value.basis}`;
    }
  };

  const update = () => {
    const s = store.get();
    const blockers = startBlockers(s);
    button.disabled = blockers.length > 0 || s.submitting;
    const scheduleWhy = scheduleBlockers(s);
    schedule.disabled = scheduleWhy.length > 0;
    schedule.title = scheduleWhy.length ? scheduleWhy.join(' ') : 'Retrain the chosen dataset with these settings on a schedule';
    label.textContent = s.submitting ? 'Starting…' : 'Start training';
    fill(why, ...(blockers.length ? blockers.slice(0, 3) : ['Ready to train.']).map((b) => h('li', { class: blockers.length ? '' : 'ready' }, b)));
    formError.hidden = !s.formError;
    fill(formError, icon('alert'), h('span', {}, s.formError ?? ''),
      ...Object.entries(s.serverErrors).filter(([field]) => !field.startsWith('params.') && field !== 'triggerPhrase')
        .map(([field, message]) => h('span', { class: 'detail' }, `${field}: ${message}`)));
  };
  update();
  showEstimate();
  askSoon();
  store.subscribe((s, prev) => {
    update();
    if (s.estimate !== prev.estimate) showEstimate();
    if (s.trainerId !== prev.trainerId || s.params !== prev.params || s.dataset !== prev.dataset || s.triggerPhrase !== prev.triggerPhrase || s.trainers !== prev.trainers) askSoon();
  });
  return el;
}
