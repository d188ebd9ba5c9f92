// The rules a training request meets before a job is written: a trigger phrase where the trainer takes one,
// none where it takes none, and every parameter of the right type and range. POST /jobs, the S3 auto-start
// and the web form all check with these, so the form says what the API would say before anything is sent.
import { unsafeTextMessage, unsafeTextProblem } from './safe-text';
import type { ParamValues, Trainer, TrainerParam } from './schemas';

export const TRIGGER_PHRASE_MAX = 100;

export interface ParamProblem {
  field: string;
  message: string;
}

/** What is wrong with a trigger phrase for this trainer, or undefined; spaces around it do not count. */
export function triggerPhraseProblem(trainer: Pick<Trainer, 'name' | 'trigger'>, phrase: string | undefined): string | undefined {
  const text = (phrase ?? '').trim();
  if (trainer.trigger === 'none') {
    return text ? `${trainer.name} takes no trigger phrase: its captions say what the LoRA learns. Leave the trigger phrase out.` : undefined;
  }
  if (!text) return trainer.trigger === 'required' ? 'Set a trigger phrase, the word that will call up your LoRA in prompts.' : undefined;
  const unsafe = unsafeTextMessage('The trigger phrase', text);
  if (unsafe) return unsafe;
  if (text.length > TRIGGER_PHRASE_MAX) return `Keep the trigger phrase to ${TRIGGER_PHRASE_MAX} characters or fewer.`;
  return undefined;
}

/** What is wrong with one given parameter value, or undefined when it suits. */
export function paramValueProblem(param: TrainerParam, value: unknown): string | undefined {
  switch (param.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${param.label} must be true or false.`;
    case 'string':
      return typeof value === 'string' ? unsafeTextMessage(param.label, value) : `${param.label} must be text.`;
    case 'enum':
      if (typeof value === 'string' && param.options?.includes(value)) return undefined;
      // JSON.stringify escapes controls; the echo of a bidi override would still reorder the message.
      return `${param.label} must be one of ${(param.options ?? []).join(', ')}; got ${typeof value === 'string' && unsafeTextProblem(value) ? 'text with unsafe characters' : JSON.stringify(value)}.`;
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${param.label} must be a number.`;
      if (param.type === 'integer' && !Number.isInteger(value)) return `${param.label} must be a whole number; got ${value}.`;
      if (param.min !== undefined && value < param.min) return `${param.label} must be at least ${param.min}; got ${value}.`;
      if (param.max !== undefined && value > param.max) return `${param.label} must be at most ${param.max}; got ${value}.`;
      return undefined;
    }
  }
}

/** The message for a required parameter left out (one with a default is never missing). */
export const missingParamProblem = (param: TrainerParam, trainer: Pick<Trainer, 'name'>): string | undefined =>
  param.required && param.default === undefined ? `${param.label} is required for ${trainer.name}.` : undefined;

/** Checks a job's parameters against the trainer entry and fills in defaults for everything not given. */
export function validateParams(trainer: Trainer, params: Record<string, unknown>): { values: ParamValues } | { details: ParamProblem[] } {
  const details: ParamProblem[] = [];
  const values: ParamValues = {};
  const known = new Map(trainer.params.map((param) => [param.key, param]));
  for (const key of Object.keys(params)) {
    if (!known.has(key)) {
      const keys = trainer.params.map((param) => param.key).join(', ') || 'none';
      details.push({ field: `params.${key}`, message: `${trainer.name} has no parameter "${key}". Known parameters: ${keys}.` });
    }
  }
  for (const param of trainer.params) {
    const given = params[param.key];
    const problem = given === undefined || given === null ? missingParamProblem(param, trainer) : paramValueProblem(param, given);
    if (problem) details.push({ field: `params.${param.key}`, message: problem });
    else if (given !== undefined && given !== null) values[param.key] = given as number | boolean | string;
    else if (param.default !== undefined) values[param.key] = param.default;
  }
  return details.length > 0 ? { details } : { values };
}

/** The sentence of a refused request (POST /jobs answers it with the details; the CLI says it before sending). */
export const invalidParamsMessage = (trainer: Pick<Trainer, 'name'>) => `Some parameters do not suit ${trainer.name}; see details.`;

/** The whole request: its trigger phrase and its parameters, every problem listed by field. */
export function validateTrainingRequest(trainer: Trainer, request: { triggerPhrase?: string; params: Record<string, unknown> }):
  { values: ParamValues } | { details: ParamProblem[] } {
  const trigger = triggerPhraseProblem(trainer, request.triggerPhrase);
  const checked = validateParams(trainer, request.params);
  if (!trigger) return checked;
  return { details: [{ field: 'triggerPhrase', message: trigger }, ...('details' in checked ? checked.details : [])] };
}
