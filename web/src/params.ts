import type { ParamValues, Trainer, TrainerParam } from '../../functions/domain/schemas';
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

/** The same rules the API applies, so the form can say what is wrong before it is sent. */
export function checkParam(param: TrainerParam, raw: RawValue | undefined): { value?: number | boolean | string; error?: string } {
  if (param.type === 'boolean') return { value: raw === true };
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return param.required ? { error: `${param.label} is required.` } : {};
  if (param.type === 'string') return { value: text };
  if (param.type === 'enum') {
    return param.options && !param.options.includes(text) ? { error: `Choose one of: ${param.options.join(', ')}.` } : { value: text };
  }
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: `${param.label} must be a number.` };
  if (param.type === 'integer' && !Number.isInteger(value)) return { error: `${param.label} must be a whole number.` };
  if ((param.min !== undefined && value < param.min) || (param.max !== undefined && value > param.max)) {
    return { error: `${param.label} must be ${rangeText(param)}.` };
  }
  return { value };
}

export function collectParams(trainer: Trainer, raw: Record<string, RawValue>): { values: ParamValues; errors: Record<string, string> } {
  const values: ParamValues = {};
  const errors: Record<string, string> = {};
  for (const param of trainer.params) {
    const result = checkParam(param, raw[param.key]);
    if (result.error) errors[param.key] = result.error;
    else if (result.value !== undefined) values[param.key] = result.value;
  }
  return { values, errors };
}
