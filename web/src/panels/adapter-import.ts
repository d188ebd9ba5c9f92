// "Import a LoRA": a .safetensors file trained elsewhere, with a name and, if known, its trainer and trigger phrase.
// The file goes up by presigned POST; the adapter shows CHECKING, then READY or what is wrong with the file, live.
import { CreateAdapterImportRequest } from '#domain/schemas';
import { IMPORT_MAX_BYTES, IMPORT_MAX_RULE } from '#domain/lora-import';
import type { Actions } from '#web/actions';
import { h, icon } from '#web/dom';
import type { Store } from '#web/state';

export function adapterImportForm(store: Store, actions: Actions): HTMLElement {
  const file = h('input', { type: 'file', accept: '.safetensors', 'data-testid': 'import-file', 'aria-label': 'LoRA file (.safetensors)' });
  const name = h('input', { type: 'text', 'data-testid': 'import-name', placeholder: 'e.g. Watercolor style v2', maxlength: 120 });
  const trainers = h('datalist', { id: 'import-trainers' });
  const trainer = h('input', { type: 'text', list: 'import-trainers', 'data-testid': 'import-trainer', placeholder: 'optional, e.g. fal-ai/flux-lora-fast-training' });
  const trigger = h('input', { type: 'text', 'data-testid': 'import-trigger', placeholder: 'optional: read from the file when it names one', maxlength: 100 });
  const error = h('p', { class: 'field-error', role: 'alert', 'data-testid': 'import-error' });
  const status = h('p', { class: 'field-help', role: 'status', 'data-testid': 'import-status' });
  const submit = h('button', { class: 'btn btn-primary btn-sm', type: 'submit', 'data-testid': 'import-submit' }, icon('upload'), 'Import');
  const field = (label: string, input: HTMLElement, help?: string) =>
    h('label', { class: 'field' }, h('span', { class: 'field-top' }, h('span', { class: 'field-label' }, label)), input, help && h('span', { class: 'field-help' }, help));
  const form = h('form', { class: 'adapter-import', 'data-testid': 'import-form', novalidate: true },
    field('LoRA file', file, `A .safetensors LoRA, at most ${IMPORT_MAX_BYTES / 1024 ** 3} GiB. Its header is checked before it is listed.`),
    field('Name', name), field('Trainer', trainer), field('Trigger phrase', trigger), trainers,
    h('div', { class: 'adapter-import-actions' }, submit, status), error);

  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (chosen && !name.value.trim()) name.value = chosen.name.replace(/\.safetensors$/i, '').slice(0, 120);
  });
  const fillTrainers = () => trainers.replaceChildren(...store.get().trainers.map((t) => h('option', { value: t.id }, t.name)));
  fillTrainers();
  store.subscribe((s, prev) => s.trainers !== prev.trainers && fillTrainers());

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    const chosen = file.files?.[0];
    if (!chosen) return void (error.textContent = 'Choose the .safetensors file to import.');
    if (chosen.size > IMPORT_MAX_BYTES) return void (error.textContent = IMPORT_MAX_RULE);
    const request = CreateAdapterImportRequest.safeParse({
      name: name.value.trim(), fileName: chosen.name, sizeBytes: chosen.size,
      ...(trainer.value.trim() ? { trainerId: trainer.value.trim() } : {}),
      ...(trigger.value.trim() ? { triggerPhrase: trigger.value.trim() } : {}),
    });
    if (!request.success) return void (error.textContent = request.error.issues.map((i) => i.message).join(' '));
    submit.disabled = true;
    status.textContent = `Uploading ${chosen.name}…`;
    const { fileName: _f, sizeBytes: _s, ...fields } = request.data;
    actions.importLora(chosen, fields, ({ fraction }) => { status.textContent = `Uploading ${chosen.name}… ${Math.round(fraction * 100)}%`; }).then(
      () => {
        status.textContent = `${chosen.name} is up: it is being checked (see the list).`;
        form.reset();
      },
      (failure: unknown) => {
        status.textContent = '';
        error.textContent = `Could not import ${chosen.name}: ${failure instanceof Error ? failure.message : String(failure)}`;
      },
    ).finally(() => { submit.disabled = false; });
  });
  return form;
}
