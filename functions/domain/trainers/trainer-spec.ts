// One description per trainer: what the form shows and POST /jobs checks, plus how the provider's request and
// result name each thing. The catalog GET /trainers serves, the fal and Replicate request bodies and the place
// a result keeps each of its files are all derived from it (trainer-catalog.ts, providers/training-inputs.ts).
import type { ArtifactRole, Trainer, TrainerDuration, TrainerParam, TrainerPrice } from '#domain/schemas';

/** A parameter with the provider's input field that carries it. */
export interface ParamSpec extends TrainerParam {
  field: string;
}

/** The input field taking the trigger phrase, and whether a job must give one. */
export interface TriggerInput {
  field: string;
  phrase: 'required' | 'optional';
}

interface CommonSpec extends Omit<Trainer, 'provider' | 'params' | 'trigger' | 'price' | 'duration'> {
  params: ParamSpec[];
  /** What a run costs (pricing.ts: published beside the trainer, or an assumed row) and how long it takes (assumed). */
  price: TrainerPrice;
  duration: TrainerDuration;
  /** Input field taking the dataset zip URL. */
  datasetField: string;
  /** Absent for a trainer that takes no trigger phrase. */
  trigger?: TriggerInput;
}

export interface FalTrainerSpec extends CommonSpec {
  provider: 'fal';
  datasetField: 'images_data_url' | 'image_data_url' | 'training_data_url';
  /** Output field holding the LoRA file (role `lora`). */
  loraField: 'diffusers_lora_file' | 'lora_file';
  /** Every other file field of the trainer's output (fal's Output schema) with what it is; the optional ones
   * too (a result without them is fine). `falTrainer` adds `config_file`, which every fal LoRA trainer returns. */
  otherOutputs: Readonly<Record<string, ArtifactRole>>;
}

export interface ReplicateTrainerSpec extends CommonSpec {
  provider: 'replicate';
  /** output.weights is an archive holding the LoRA as this member. */
  archive: { format: 'tar'; member: string };
}

export type TrainerSpec = FalTrainerSpec | ReplicateTrainerSpec;

type FalRest = Omit<FalTrainerSpec, 'id' | 'provider' | 'name' | 'kind' | 'outputFormat' | 'otherOutputs'> & { otherOutputs?: FalTrainerSpec['otherOutputs'] };

/** A fal trainer: every fal LoRA trainer returns a safetensors file and its `config_file`. */
export const falTrainer = (id: string, name: string, kind: Trainer['kind'], { otherOutputs, ...rest }: FalRest): FalTrainerSpec =>
  ({ id, provider: 'fal', name, kind, outputFormat: 'safetensors', ...rest, otherOutputs: { config_file: 'config', ...otherOutputs } });

/** Each file field of a fal trainer's output with its role, the main LoRA first. */
export const falOutputRoles = (spec: FalTrainerSpec): [field: string, role: ArtifactRole][] =>
  [[spec.loraField, 'lora'], ...Object.entries(spec.otherOutputs)];

/** The trainer as the API serves it: the provider's field names stay behind. */
export function publicTrainer(spec: TrainerSpec): Trainer {
  const { id, provider, name, kind, description, outputFormat, dataset, price, duration } = spec;
  return {
    id, provider, name, kind, description, ...(outputFormat === undefined ? {} : { outputFormat }), dataset,
    trigger: spec.trigger?.phrase ?? 'none',
    params: spec.params.map(({ field: _field, ...param }) => param),
    price, duration,
  };
}
