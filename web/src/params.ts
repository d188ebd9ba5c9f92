import { missingParamProblem, paramValueProblem } from '#domain/training-request';
import type { ParamValues, Trainer, TrainerParam } from '#domain/schemas';
import type { RawValue } from './state';

export function defaultValues(trainer: Trainer): Record<string, RawValue> {
  const values: Record<string, RawValue> = {};
  for (const param of trainer.params) {
    if (param.type === 'boolean') values[param.key] = param.default === true;
    else if (param.default !== undefined) values[param.key] = String(param.default);
    else if (param.type === 'enum' && param.required && param.options?.[0]) values[param.key] = param.options[0];
    else values[param.key] = '';
  }
  return values;
}

export function rangeText(param: TrainerParam): string {
  if (param.min !== undefined && param.max !== undefined) return `${param.min}–${param.max}`;
  if (param.min !== undefined) return `at least ${param.min}`;
  if (param.max !== undefined) return `at most ${param.max}`;
  return '';
}

/** A form control's raw value as the API takes it: empty means not given, number fields give numbers. */
function formValue(param: TrainerParam, raw: RawValue | undefined): number | boolean | string | undefined {
  if (param.type === 'boolean') return raw === true;
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return undefined;
  return param.type === 'integer' || param.type === 'number' ? Number(text) : text;
}

/** The API's own rules (training-request.ts), so the form says what is wrong before anything is sent. */
export function checkParam(trainer: Pick<Trainer, 'name'>, param: TrainerParam, raw: RawValue | undefined): { value?: number | boolean | string; error?: string } {
  const value = formValue(param, raw);
  const error = value === undefined ? missingParamProblem(param, trainer) : paramValueProblem(param, value);
  return error ? { error } : value === undefined ? {} : { value };
}

export function collectParams(trainer: Trainer, raw: Record<string, RawValue>): { values: ParamValues; errors: Record<string, string> } {
  const values: ParamValues = {};
  const errors: Record<string, string> = {};
  for (const param of trainer.params) {
    const result = checkParam(trainer, param, raw[param.key]);
    if (result.error) errors[param.key] = result.error;
    else if (result.value !== undefined) values[param.key] = result.value;
  }
  return { values, errors };
}

/** The form's values for a job's settings ("Train again"): the trainer's defaults with the job's values over them;
 * `dropped` names the job's keys this trainer no longer takes. */
export function valuesFromJob(trainer: Trainer, params: ParamValues): { values: Record<string, RawValue>; dropped: string[] } {
  const values = defaultValues(trainer);
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    const param = trainer.params.find((p) => p.key === key);
    if (!param) dropped.push(key);
    else values[key] = param.type === 'boolean' ? value === true : String(value);
  }
  return { values, dropped };
}
