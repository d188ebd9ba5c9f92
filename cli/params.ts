// `--param key=value` as the API takes it: each value coerced to its parameter's type from the trainer catalog,
// then checked by the same rules POST /jobs applies (training-request.ts), so the CLI refuses with the API's
// own messages before anything is sent.
import type { ParamValues, Trainer } from '#domain/schemas';
import { validateTrainingRequest, type ParamProblem } from '#domain/training-request';
export { invalidParamsMessage } from '#domain/training-request';

/** `key=value` pairs; a pair without `=` or with an empty key is a usage problem. */
export function parseParamPairs(pairs: string[]): { raw: Record<string, string> } | { details: ParamProblem[] } {
  const raw: Record<string, string> = {};
  const details: ParamProblem[] = [];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at < 0 ? '' : pair.slice(0, at).trim();
    if (!key) details.push({ field: 'params', message: `"${pair}" is not key=value; write for example --param steps=500.` });
    else raw[key] = pair.slice(at + 1);
  }
  return details.length ? { details } : { raw };
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/** One value in the parameter's type; text that is not of that type stays text, so the rule says what is wrong. */
export function coerceParam(trainer: Trainer, key: string, text: string): number | boolean | string {
  const param = trainer.params.find((p) => p.key === key);
  const value = text.trim();
  switch (param?.type) {
    case 'integer':
    case 'number':
      return value !== '' && Number.isFinite(Number(value)) ? Number(value) : text;
    case 'boolean':
      return TRUE.has(value.toLowerCase()) ? true : FALSE.has(value.toLowerCase()) ? false : text;
    default:
      return text;
  }
}

/** The request's parameters as given (the API fills in defaults), or every problem by field. */
export function checkTrainingRequest(trainer: Trainer, triggerPhrase: string | undefined, pairs: string[]): { params: ParamValues } | { details: ParamProblem[] } {
  const parsed = parseParamPairs(pairs);
  if ('details' in parsed) return parsed;
  const params: ParamValues = Object.fromEntries(Object.entries(parsed.raw).map(([key, text]) => [key, coerceParam(trainer, key, text)]));
  const checked = validateTrainingRequest(trainer, { triggerPhrase, params });
  return 'details' in checked ? checked : { params };
}
