// Checks a request's input against the trainer's schema and words each problem as the provider does: fal's
// FastAPI/pydantic `detail` list, Replicate's `invalid_fields`. Stricter than some real trainers, which ignore an
// unknown field: an unknown field here is a misnamed one in the request, and it should fail loudly.
import type { EmulatedTrainer, FieldSpec, FieldType } from './trainer-schema';

/** The emulator's own input field (faults chosen in the request), accepted by every trainer. */
const FAULTS_FIELD = 'emulator_faults';

type Problem =
  | { kind: 'missing' | 'extra'; field: string; value?: unknown }
  | { kind: 'type'; field: string; value: unknown; type: FieldType }
  | { kind: 'min' | 'max'; field: string; value: unknown; limit: number };

function fits(type: FieldType, value: unknown): boolean {
  if (Array.isArray(type)) return type.includes(value as string | number);
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return Number.isInteger(value);
    case 'list': return Array.isArray(value);
  }
  return false;
}

function problemsOf(trainer: EmulatedTrainer, input: Record<string, unknown>, required: (field: string, spec: FieldSpec) => boolean): Problem[] {
  const problems: Problem[] = [];
  for (const [field, spec] of Object.entries(trainer.inputs)) {
    const value = input[field];
    if (value === undefined || value === null) {
      if (required(field, spec)) problems.push({ kind: 'missing', field });
    } else if (!fits(spec.type, value)) problems.push({ kind: 'type', field, value, type: spec.type });
    else if (spec.min !== undefined && (value as number) < spec.min) problems.push({ kind: 'min', field, value, limit: spec.min });
    else if (spec.max !== undefined && (value as number) > spec.max) problems.push({ kind: 'max', field, value, limit: spec.max });
  }
  for (const [field, value] of Object.entries(input)) {
    if (!(field in trainer.inputs) && field !== FAULTS_FIELD) problems.push({ kind: 'extra', field, value });
  }
  return problems;
}

export interface FalFieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

const quoted = (value: string | number) => (typeof value === 'string' ? `'${value}'` : String(value));
const orList = (values: readonly (string | number)[]) =>
  values.length === 1 ? quoted(values[0]!) : `${values.slice(0, -1).map(quoted).join(', ')} or ${quoted(values.at(-1)!)}`;

const PYDANTIC_TYPES: Record<Exclude<FieldType, readonly unknown[]>, [type: string, msg: string]> = {
  string: ['string_type', 'Input should be a valid string'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  number: ['float_type', 'Input should be a valid number'],
  integer: ['int_type', 'Input should be a valid integer'],
  list: ['list_type', 'Input should be a valid list'],
};

/** fal's 422 `detail` for an input (empty when it is valid); every step count is at least 1. */
export function falInputErrors(trainer: EmulatedTrainer, input: Record<string, unknown>): FalFieldError[] {
  const withSteps = { ...trainer, inputs: { ...trainer.inputs, [trainer.steps]: { min: 1, ...trainer.inputs[trainer.steps]! } } };
  return problemsOf(withSteps, input, (field, spec) => field === trainer.dataset || spec.required === true).map((problem): FalFieldError => {
    const loc = ['body', problem.field];
    switch (problem.kind) {
      case 'missing': return { loc, msg: 'Field required', type: 'missing', input };
      case 'extra': return { loc, msg: 'Extra inputs are not permitted', type: 'extra_forbidden', input: problem.value };
      case 'min': return { loc, msg: `Input should be greater than or equal to ${problem.limit}`, type: 'greater_than_equal', input: problem.value, ctx: { ge: problem.limit } };
      case 'max': return { loc, msg: `Input should be less than or equal to ${problem.limit}`, type: 'less_than_equal', input: problem.value, ctx: { le: problem.limit } };
      case 'type': {
        if (Array.isArray(problem.type)) {
          return { loc, msg: `Input should be ${orList(problem.type)}`, type: 'literal_error', input: problem.value, ctx: { expected: orList(problem.type) } };
        }
        const [type, msg] = PYDANTIC_TYPES[problem.type as keyof typeof PYDANTIC_TYPES];
        return { loc, msg, type, input: problem.value };
      }
    }
  });
}

export interface ReplicateInvalidField {
  type: string;
  field: string;
  description: string;
}

const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value);

/** Replicate's 422 `invalid_fields` for a training's input (empty when it is valid). */
export function replicateInputErrors(trainer: EmulatedTrainer, input: Record<string, unknown>): ReplicateInvalidField[] {
  return problemsOf(trainer, input, (_, spec) => spec.required === true).map((problem): ReplicateInvalidField => {
    const field = `input.${problem.field}`;
    switch (problem.kind) {
      case 'missing': return { type: 'required', field: 'input', description: `${problem.field} is required` };
      case 'extra': return { type: 'additional_property_not_allowed', field: 'input', description: `Additional property ${problem.field} is not allowed` };
      case 'min': return { type: 'greater_than_equal', field, description: `Must be greater than or equal to ${problem.limit}` };
      case 'max': return { type: 'less_than_equal', field, description: `Must be less than or equal to ${problem.limit}` };
      case 'type':
        if (Array.isArray(problem.type)) {
          return { type: 'enum', field, description: `${field} must be one of the following: ${problem.type.map((value) => JSON.stringify(value)).join(', ')}` };
        }
        return { type: 'invalid_type', field, description: `Invalid type. Expected: ${problem.type === 'list' ? 'array' : problem.type}, given: ${jsonType(problem.value)}` };
    }
  });
}

/** Replicate's answer to a training whose input does not validate. */
export const replicateValidationFailure = (invalid: ReplicateInvalidField[]) => ({
  title: 'Input validation failed', status: 422,
  detail: invalid.map((item) => `- ${item.field}: ${item.description}\n`).join(''),
  invalid_fields: invalid,
});
