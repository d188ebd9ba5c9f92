// The one place canonical parameter names meet the providers' field names, all read from each trainer's
// description (domain/trainers/): the fal and Replicate request bodies, and where a result keeps the LoRA.
// A wire format, so it lives with the providers; the descriptions it reads stay in the domain.
import type { ArtifactRole, ParamValues } from '#domain/schemas';
import { parseTrainerId } from '#domain/trainer-id';
import { falTrainerSpec, replicateTrainerSpec, type TrainerSpec } from '#domain/trainers/index';
import { falOutputRoles } from '#domain/trainers/trainer-spec';

export interface TrainingInput {
  datasetUrl: string;
  triggerPhrase: string;
  params: ParamValues;
}

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The input field of a canonical key; a key the description lacks goes under its snake_case name. */
const fieldOf = (spec: TrainerSpec, key: string) => spec.params.find((param) => param.key === key)?.field ?? snakeCase(key);

/** Dataset URL, the trigger phrase where the trainer takes one, and each parameter under its field. */
function toInput(spec: TrainerSpec, request: TrainingInput, skip: (value: ParamValues[string]) => boolean = () => false): Record<string, unknown> {
  const input: Record<string, unknown> = { [spec.datasetField]: request.datasetUrl };
  if (spec.trigger && request.triggerPhrase) input[spec.trigger.field] = request.triggerPhrase;
  for (const [key, value] of Object.entries(request.params)) if (!skip(value)) input[fieldOf(spec, key)] = value;
  return input;
}

// ---------- fal ----------

/** The fal request body for a training. */
export const toFalInput = (trainerId: string, request: TrainingInput): Record<string, unknown> => toInput(falTrainerSpec(trainerId), request);

export interface FalFile {
  url: string;
  content_type?: string;
  file_name?: string;
  file_size?: number;
}

const isFile = (value: unknown): value is FalFile =>
  typeof value === 'object' && value !== null && typeof (value as FalFile).url === 'string';

const LORA_FIELDS = ['diffusers_lora_file', 'lora_file'];

/** The output field of the LoRA file in a fal trainer's output: the trainer's own field first, then any known LoRA field. */
function falLoraField(trainerId: string, record: Record<string, unknown>): string | undefined {
  return [falTrainerSpec(trainerId).loraField, ...LORA_FIELDS].find((field) => isFile(record[field]));
}

/** The LoRA file in a fal trainer's output. */
export function falLoraFile(trainerId: string, output: unknown): FalFile | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const field = falLoraField(trainerId, output as Record<string, unknown>);
  return field ? (output as Record<string, FalFile>)[field] : undefined;
}

export interface FalOutputFile extends FalFile {
  field: string;
  role: ArtifactRole;
}

/** Every file of a fal trainer's output, the LoRA first: the fields the trainer's spec names, with their roles,
 * in its order, then any other file field fal added (role `other`). Undefined without a LoRA file. */
export function falOutputFiles(trainerId: string, output: unknown): FalOutputFile[] | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const record = output as Record<string, unknown>;
  const loraField = falLoraField(trainerId, record);
  if (!loraField) return undefined;
  const roles = new Map<string, ArtifactRole>(falOutputRoles(falTrainerSpec(trainerId)).filter(([field]) => field !== loraField));
  const fields = [...roles.keys(), ...Object.keys(record).filter((field) => !roles.has(field) && field !== loraField)];
  const others = fields.flatMap((field) => {
    const file = record[field];
    return isFile(file) ? [{ ...file, field, role: roles.get(field) ?? 'other' }] : [];
  });
  return [{ ...(record[loraField] as FalFile), field: loraField, role: 'lora' }, ...others];
}

// ---------- Replicate ----------

/** Where a Replicate trainer trains: the model (`owner/name` of its id) and the archive its weights come in. */
export function replicateTarget(trainerId: string): { model: string; archive: { format: 'tar'; member: string } } {
  return { model: parseTrainerId(trainerId).app, archive: replicateTrainerSpec(trainerId).archive };
}

/** The `input` of a Replicate training. Empty optional text (a caption prefix left blank) means "not set",
 * which the trainer expresses as absent. */
export const toReplicateInput = (trainerId: string, request: TrainingInput): Record<string, unknown> =>
  toInput(replicateTrainerSpec(trainerId), request, (value) => value === '');
