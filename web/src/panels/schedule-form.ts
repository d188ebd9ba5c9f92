import type { Actions } from '#web/actions';
import { fill, h, icon } from '#web/dom';
import { scheduleBlockers } from '#web/readiness';
import {
  type Cadence, MAX_EVERY_DAYS, WEEKDAYS, type Weekday, browserZone, defaultScheduleName, expressionOf, previewRuns, timeZones,
} from '#web/schedule-rules';
import { type State, type Store, selectedTrainer } from '#web/state';

type Kind = Cadence['kind'];
const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'weekly', label: 'Weekly' }, { kind: 'daily', label: 'Daily' }, { kind: 'every', label: 'Every N days' }, { kind: 'raw', label: 'Expression' },
];
/** Request fields shown in the summary of what is trained, not beside a field of the dialog. */
const SUMMARY_FIELDS = (field: string) => field.startsWith('params.') || ['triggerPhrase', 'datasetId', 'trainerId', 'params'].includes(field);

/**
 * "Retrain on a schedule": a modal dialog that takes the training form as it stands (dataset, trainer, trigger
 * phrase, params) and adds when (a readable picker or a raw Scheduler expression), the time zone, a live preview
 * of the next three runs, a name, and what to do with each run.
 */
export function scheduleFormPanel(store: Store, actions: Actions): HTMLDialogElement {
  let kind: Kind = 'weekly';
  let nameTouched = false;

  const summary = h('div', { class: 'schedule-summary', 'data-testid': 'schedule-form-summary' });
  const blockers = h('div', { class: 'inline-alert', role: 'alert', hidden: true, 'data-testid': 'schedule-form-blockers' });
  const formError = h('div', { class: 'inline-alert', role: 'alert', hidden: true, 'data-testid': 'schedule-form-error' });

  const nameInput = h('input', { id: 'schedule-name', 'data-testid': 'schedule-name-input', maxlength: 80, autocomplete: 'off', 'aria-describedby': 'schedule-name-error' });
  nameInput.addEventListener('input', () => {
    nameTouched = true;
  });
  const nameError = h('p', { class: 'field-error', id: 'schedule-name-error', 'data-testid': 'schedule-name-error' });

  // ---- when ----
  const kindButtons = KINDS.map(({ kind: k, label }) => {
    const button = h('button', { type: 'button', class: 'segment', role: 'radio', 'data-testid': `schedule-kind-${k}`, 'data-kind': k }, label);
    button.addEventListener('click', () => {
      kind = k;
      refresh();
    });
    return button;
  });
  const daySelect = h('select', { id: 'schedule-day', 'data-testid': 'schedule-day', 'aria-label': 'Day of the week' },
    ...WEEKDAYS.map((d) => h('option', { value: d.value }, d.name)));
  const timeInput = h('input', { id: 'schedule-time', type: 'time', 'data-testid': 'schedule-time', 'aria-label': 'Time of day', required: true });
  timeInput.value = '03:00';
  const daysInput = h('input', { id: 'schedule-days', type: 'number', min: 1, max: MAX_EVERY_DAYS, step: 1, inputmode: 'numeric', 'data-testid': 'schedule-days', 'aria-label': 'Number of days' });
  daysInput.value = '7';
  const rawInput = h('input', {
    id: 'schedule-expression', 'data-testid': 'schedule-expression', autocomplete: 'off', spellcheck: false, maxlength: 256,
    placeholder: 'cron(0 3 ? * MON *), rate(7 days) or at(2027-01-01T03:00:00)', 'aria-label': 'Schedule expression',
  });
  const dayField = h('div', { class: 'when-part' }, h('label', { class: 'label', for: 'schedule-day' }, 'On'), h('div', { class: 'select-wrap' }, daySelect));
  const timeField = h('div', { class: 'when-part' }, h('label', { class: 'label', for: 'schedule-time' }, 'At'), timeInput);
  const daysField = h('div', { class: 'when-part' }, h('label', { class: 'label', for: 'schedule-days' }, 'Every'), h('div', { class: 'days-input' }, daysInput, h('span', { class: 'muted' }, 'days')));
  const rawField = h('div', { class: 'when-part when-raw' }, h('label', { class: 'label', for: 'schedule-expression' }, 'EventBridge Scheduler expression'), rawInput);
  const expressionLine = h('p', { class: 'field-help schedule-expression-line', 'data-testid': 'schedule-expression-preview' });
  const expressionError = h('p', { class: 'field-error', 'data-testid': 'schedule-expression-error', role: 'alert' });

  // ---- zone ----
  const zones = timeZones();
  const zoneInput = h('input', {
    id: 'schedule-timezone', 'data-testid': 'schedule-timezone', list: 'schedule-timezones', autocomplete: 'off', spellcheck: false,
    placeholder: 'Search a time zone, e.g. Europe/Paris', 'aria-describedby': 'schedule-timezone-help schedule-timezone-error',
  });
  zoneInput.value = browserZone();
  const zoneList = h('datalist', { id: 'schedule-timezones' }, ...zones.map((z) => h('option', { value: z })));
  const zoneError = h('p', { class: 'field-error', id: 'schedule-timezone-error', 'data-testid': 'schedule-timezone-error' });

  // ---- preview ----
  const preview = h('ol', { class: 'run-preview', 'data-testid': 'schedule-preview', 'aria-live': 'polite' });
  const previewError = h('p', { class: 'field-error', 'data-testid': 'schedule-preview-error', role: 'alert' });

  // ---- what each run does ----
  const toggle = (id: string, label: string, help: string, checked: boolean) => {
    const input = h('input', { type: 'checkbox', id, role: 'switch', 'data-testid': id, class: 'switch-input' });
    input.checked = checked;
    const el = h('div', { class: 'field field-toggle' }, h('label', { class: 'toggle', for: id },
      h('span', { class: 'toggle-text' }, h('span', { class: 'field-label' }, label), h('span', { class: 'field-help' }, help)),
      input, h('span', { class: 'switch', 'aria-hidden': 'true' })));
    return { input, el };
  };
  const onlyChanged = toggle('schedule-only-changed', 'Only if the dataset changed',
    'Skip a run when the dataset’s latest ready version was already trained by this schedule.', true);
  const autoRegister = toggle('schedule-auto-register', 'Register the LoRA',
    'When a run’s training completes, add its LoRA to your registered LoRAs, named after the schedule and the dataset version.', false);

  const submit = h('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'schedule-create' }, icon('clock'), 'Create schedule');
  const cancel = h('button', { class: 'btn btn-ghost', type: 'button', 'data-testid': 'schedule-cancel', onclick: () => actions.closeScheduleForm() }, 'Cancel');
  const form = h('form', { class: 'schedule-form', novalidate: true, 'aria-label': 'Retrain on a schedule' },
    h('div', { class: 'modal-body' },
      summary, blockers,
      h('div', { class: 'field' }, h('label', { class: 'label', for: 'schedule-name' }, 'Name'), nameInput, nameError),
      h('fieldset', { class: 'when' },
        h('legend', { class: 'label' }, 'When'),
        h('div', { class: 'segments', role: 'radiogroup', 'aria-label': 'How often' }, ...kindButtons),
        h('div', { class: 'when-row' }, dayField, timeField, daysField, rawField),
        expressionLine, expressionError),
      h('div', { class: 'field' },
        h('label', { class: 'label', for: 'schedule-timezone' }, 'Time zone'), zoneInput, zoneList,
        h('p', { class: 'field-help', id: 'schedule-timezone-help' }, 'Runs happen at this zone’s local time, daylight saving included.'),
        zoneError),
      h('div', { class: 'preview-box' }, h('h3', {}, icon('clock'), 'Next runs'), preview, previewError),
      h('div', { class: 'fields' }, onlyChanged.el, autoRegister.el),
      formError),
    h('div', { class: 'modal-foot' }, cancel, submit));

  const closeButton = h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Close', 'data-testid': 'schedule-form-close', onclick: () => actions.closeScheduleForm() }, icon('x'));
  const dialog = h('dialog', { class: 'modal schedule-modal', 'aria-labelledby': 'schedule-form-title', 'data-testid': 'schedule-form' },
    h('div', { class: 'modal-head' }, h('h2', { id: 'schedule-form-title' }, icon('clock'), 'Retrain on a schedule'), closeButton),
    form);

  const cadence = (): Cadence => {
    switch (kind) {
      case 'daily': return { kind, time: timeInput.value };
      case 'weekly': return { kind, day: daySelect.value as Weekday, time: timeInput.value };
      case 'every': return { kind, days: Number(daysInput.value) };
      case 'raw': return { kind, expression: rawInput.value };
    }
  };

  /** Re-reads the picker: which parts show, the expression, the preview, the default name. */
  const refresh = () => {
    for (const button of kindButtons) button.setAttribute('aria-checked', String(button.dataset.kind === kind));
    dayField.hidden = kind !== 'weekly';
    timeField.hidden = kind !== 'daily' && kind !== 'weekly';
    daysField.hidden = kind !== 'every';
    rawField.hidden = kind !== 'raw';
    const s = store.get();
    if (!nameTouched) nameInput.value = defaultScheduleName(cadence(), s.dataset?.name);
    const made = expressionOf(cadence());
    const server = s.scheduleForm.fieldErrors;
    fill(expressionLine, ...('expression' in made && kind !== 'raw' ? ['Scheduler expression: ', h('code', {}, made.expression)] : []));
    expressionError.textContent = 'error' in made ? made.error : server.expression ?? '';
    zoneError.textContent = server.timezone ?? '';
    zoneInput.closest('.field')?.classList.toggle('invalid', Boolean(server.timezone));
    const zone = zoneInput.value.trim();
    const runs = 'expression' in made ? previewRuns(made.expression, zone, new Date()) : null;
    fill(preview, ...(runs && 'runs' in runs ? runs.runs.map((text, i) => h('li', { 'data-testid': 'schedule-preview-run' }, h('span', { class: 'run-no' }, String(i + 1)), text)) : []));
    preview.hidden = !runs || !('runs' in runs) || runs.runs.length === 0;
    previewError.textContent = !runs ? 'Finish the choice above to see when it runs.' : 'error' in runs ? runs.error : '';
    submit.disabled = s.scheduleForm.creating || 'error' in made || !runs || 'error' in runs || scheduleBlockers(s).length > 0;
  };
  for (const input of [daySelect, timeInput, daysInput, rawInput, zoneInput]) {
    input.addEventListener('input', refresh);
    input.addEventListener('change', refresh);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const made = expressionOf(cadence());
    if ('error' in made) return refresh();
    void actions.createSchedule({
      name: nameInput.value, expression: made.expression, timezone: zoneInput.value.trim(),
      onlyIfDatasetChanged: onlyChanged.input.checked, autoRegister: autoRegister.input.checked,
    });
  });

  const showSummary = (s: State) => {
    const trainer = selectedTrainer(s);
    const steps = s.params.steps;
    const errors = Object.entries(s.scheduleForm.fieldErrors).filter(([field]) => SUMMARY_FIELDS(field));
    fill(summary,
      h('p', { class: 'schedule-summary-lead' }, 'Each run trains the dataset’s latest ready version with the settings of the training form:'),
      h('dl', { class: 'schedule-facts' },
        fact('Dataset', s.dataset?.name ?? '—'),
        fact('Trainer', trainer?.name ?? '—'),
        trainer?.trigger !== 'none' ? fact('Trigger phrase', s.triggerPhrase.trim() || '—') : null,
        typeof steps === 'string' && steps.trim() ? fact('Steps', steps) : null),
      ...errors.map(([field, text]) => h('p', { class: 'field-error', 'data-testid': 'schedule-form-field-error' }, `${field}: ${text}`)));
    const why = scheduleBlockers(s);
    blockers.hidden = why.length === 0;
    fill(blockers, icon('alert'), h('span', {}, 'Before scheduling: ', why.join(' ')));
  };

  const showState = (s: State) => {
    const f = s.scheduleForm;
    nameError.textContent = f.fieldErrors.name ?? '';
    nameInput.closest('.field')?.classList.toggle('invalid', Boolean(f.fieldErrors.name));
    formError.hidden = !f.error;
    fill(formError, icon('alert'), h('span', {}, f.error ?? ''));
    fill(submit, icon(f.creating ? 'spinner' : 'clock', f.creating ? 'spin' : ''), f.creating ? 'Creating…' : 'Create schedule');
  };

  // ---- open and close ----
  let opener: HTMLElement | null = null;
  dialog.addEventListener('close', () => {
    if (store.get().scheduleForm.open) actions.closeScheduleForm();
    opener?.focus();
    opener = null;
  });
  const sync = (s: State) => {
    if (s.scheduleForm.open && !dialog.open) {
      opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      nameTouched = false;
      dialog.showModal();
      nameInput.focus();
    } else if (!s.scheduleForm.open && dialog.open) {
      dialog.close();
    }
  };

  const update = (s: State, prev: State | null) => {
    if (!prev || s.scheduleForm !== prev.scheduleForm || s.dataset !== prev.dataset || s.trainerId !== prev.trainerId || s.trainers !== prev.trainers
      || s.params !== prev.params || s.triggerPhrase !== prev.triggerPhrase) {
      showSummary(s);
      showState(s);
      refresh();
    }
    if (!prev || s.scheduleForm.open !== prev.scheduleForm.open) sync(s);
  };
  update(store.get(), null);
  store.subscribe((s, prev) => update(s, prev));
  return dialog;
}

const fact = (term: string, value: string) => h('div', { class: 'schedule-fact' }, h('dt', {}, term), h('dd', {}, value));
