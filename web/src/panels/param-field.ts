import type { Trainer, TrainerParam } from '#domain/schemas';
import { h } from '#web/dom';
import { checkParam, rangeText } from '#web/params';
import type { RawValue } from '#web/state';

export interface FieldView {
  el: HTMLElement;
  /** Show the client-side check (once touched) or the server's message for this field. */
  showError(raw: RawValue | undefined, serverMessage: string | undefined): void;
}

/** One control rendered from the trainer's parameter description. */
export function paramField(trainer: Pick<Trainer, 'name'>, param: TrainerParam, value: RawValue | undefined, onChange: (value: RawValue) => void): FieldView {
  const id = `param-${param.key}`;
  const testid = `param-${param.key}`;
  const error = h('p', { class: 'field-error', id: `${id}-error`, 'data-testid': `${testid}-error`, role: 'alert' });
  let touched = false;
  let control: HTMLElement;
  if (param.type === 'boolean') {
    const input = h('input', { type: 'checkbox', id, role: 'switch', 'data-testid': testid, class: 'switch-input' });
    input.checked = value === true;
    input.addEventListener('change', () => onChange(input.checked));
    const el = h('div', { class: 'field field-toggle' },
      h('label', { class: 'toggle', for: id },
        h('span', { class: 'toggle-text' }, h('span', { class: 'field-label' }, param.label), h('span', { class: 'field-help' }, param.help)),
        input, h('span', { class: 'switch', 'aria-hidden': 'true' })),
      error);
    return { el, showError: (_raw, server) => void (error.textContent = server ?? '') };
  }
  if (param.type === 'enum') {
    const select = h('select', { id, 'data-testid': testid, 'aria-describedby': `${id}-help ${id}-error` },
      ...(param.required ? [] : [h('option', { value: '' }, 'Default')]),
      ...(param.options ?? []).map((option) => h('option', { value: option }, option)));
    select.value = typeof value === 'string' ? value : '';
    select.addEventListener('change', () => onChange(select.value));
    control = h('div', { class: 'select-wrap' }, select);
  } else {
    const numeric = param.type === 'integer' || param.type === 'number';
    const input = h('input', {
      id, 'data-testid': testid, type: numeric ? 'number' : 'text', 'aria-describedby': `${id}-help ${id}-error`,
      min: param.min, max: param.max, step: numeric ? (param.step ?? (param.type === 'integer' ? 1 : 'any')) : undefined,
      inputmode: param.type === 'integer' ? 'numeric' : param.type === 'number' ? 'decimal' : undefined,
      placeholder: param.default !== undefined ? String(param.default) : param.required ? 'Required' : 'Optional',
      required: param.required,
    });
    input.value = typeof value === 'string' ? value : '';
    input.addEventListener('input', () => {
      touched = true;
      onChange(input.value);
    });
    control = input;
  }
  const range = rangeText(param);
  const el = h('div', { class: 'field' },
    h('div', { class: 'field-top' },
      h('label', { for: id, class: 'field-label' }, param.label, param.required ? h('span', { class: 'req', title: 'Required' }, '*') : null),
      range ? h('span', { class: 'field-range' }, range) : null),
    control,
    h('p', { class: 'field-help', id: `${id}-help` }, param.help),
    error);
  return {
    el,
    showError(raw, server) {
      const client = touched ? checkParam(trainer, param, raw).error : undefined;
      const text = server ?? client ?? '';
      error.textContent = text;
      el.classList.toggle('invalid', Boolean(text));
      control.setAttribute('aria-invalid', String(Boolean(text)));
    },
  };
}
