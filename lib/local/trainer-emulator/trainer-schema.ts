// How the emulator knows a trainer: its input fields and outputs as the provider's own schema gives them, written
// apart from Loraworks' provider mapping so that a field the mapping gets wrong is refused here, as the real
// trainer would refuse it, instead of being read back with the same mistake.

/** The values an input field takes: a JSON type, or the only values allowed. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'list' | readonly (string | number)[];

export interface FieldSpec {
  type: FieldType;
  required?: boolean;
  min?: number;
  max?: number;
}

export interface EmulatedTrainer {
  /** fal endpoint id (its sub-paths share it), or `replicate/{owner}/{name}`. */
  id: string;
  protocol: 'fal' | 'replicate';
  /** The field holding the dataset zip's URL: a training cannot run without it. */
  dataset: string;
  /** The field holding the step count. */
  steps: string;
  /** The trainer's own step count when none is sent; the emulator trains 1000 when the schema has none. */
  defaultSteps?: number;
  /** The field holding the trigger phrase, when the trainer takes one. */
  trigger?: string;
  /** Every field the trainer takes, the three above included. */
  inputs: Record<string, FieldSpec>;
  /** The output fields that each hold a LoRA file, the main one first; fal adds config_file to every result,
   * Replicate's one output field `weights` is a tar holding the LoRA. */
  loraOutputs: string[];
  /** The other file fields of its output (besides config_file), each with the file the emulator puts there. */
  extraOutputs?: ExtraOutput[];
}

/** An output file that is not a LoRA: a preprocessed dataset, a validation video. */
export interface ExtraOutput {
  field: string;
  name: string;
  contentType: string;
  /** Returned only when this input field is true (an optional output the request asks for). */
  onlyWith?: string;
}
