// The one place canonical parameter names meet the providers' field names (fal's, then Replicate's). Each trainer names its dataset URL,
// trigger and step count differently, and its LoRA output field too (fal-trainer-schemas.md).
import type { ParamValues } from './schemas';

export interface FalFieldMap {
  /** Input field that takes the dataset zip URL. */
  dataset: 'images_data_url' | 'image_data_url' | 'training_data_url';
  /** Input field that takes the trigger phrase; absent when the trainer has none. */
  trigger?: 'trigger_word' | 'trigger_phrase';
  /** Canonical key → fal input field, for every parameter the trainer takes. */
  params: Record<string, string>;
  /** Output field holding the LoRA file. */
  lora: 'diffusers_lora_file' | 'lora_file';
}

const base = { steps: 'steps', learningRate: 'learning_rate' };

export const falFieldMaps: Record<string, FalFieldMap> = {
  'fal-ai/flux-lora-fast-training': {
    dataset: 'images_data_url', trigger: 'trigger_word', lora: 'diffusers_lora_file',
    params: { steps: 'steps', createMasks: 'create_masks', isStyle: 'is_style', isInputFormatAlreadyPreprocessed: 'is_input_format_already_preprocessed' },
  },
  'fal-ai/flux-lora-portrait-trainer': {
    dataset: 'images_data_url', trigger: 'trigger_phrase', lora: 'diffusers_lora_file',
    params: { ...base, multiresolutionTraining: 'multiresolution_training', subjectCrop: 'subject_crop', createMasks: 'create_masks' },
  },
  'fal-ai/flux-kontext-trainer': {
    dataset: 'image_data_url', lora: 'diffusers_lora_file',
    params: { ...base, defaultCaption: 'default_caption', outputLoraFormat: 'output_lora_format' },
  },
  'fal-ai/turbo-flux-trainer': {
    dataset: 'images_data_url', trigger: 'trigger_phrase', lora: 'diffusers_lora_file',
    params: { ...base, trainingStyle: 'training_style', faceCrop: 'face_crop' },
  },
  'fal-ai/wan-trainer': {
    dataset: 'training_data_url', trigger: 'trigger_phrase', lora: 'lora_file',
    params: { steps: 'number_of_steps', learningRate: 'learning_rate', autoScaleInput: 'auto_scale_input' },
  },
  'fal-ai/hunyuan-video-lora-training': {
    dataset: 'images_data_url', trigger: 'trigger_word', lora: 'diffusers_lora_file',
    params: { ...base, doCaption: 'do_caption' },
  },
  'fal-ai/ltx-video-trainer': {
    dataset: 'training_data_url', trigger: 'trigger_phrase', lora: 'lora_file',
    params: {
      steps: 'number_of_steps', learningRate: 'learning_rate', rank: 'rank', resolution: 'resolution', aspectRatio: 'aspect_ratio',
      frameRate: 'frame_rate', numberOfFrames: 'number_of_frames', autoScaleInput: 'auto_scale_input',
      splitInputIntoScenes: 'split_input_into_scenes', splitInputDurationThreshold: 'split_input_duration_threshold',
    },
  },
  'fal-ai/qwen-image-trainer': {
    dataset: 'image_data_url', trigger: 'trigger_phrase', lora: 'lora_file',
    params: { ...base },
  },
  'fal-ai/flux-krea-trainer': {
    dataset: 'images_data_url', trigger: 'trigger_word', lora: 'diffusers_lora_file',
    params: { steps: 'steps', createMasks: 'create_masks', isStyle: 'is_style', isInputFormatAlreadyPreprocessed: 'is_input_format_already_preprocessed' },
  },
  'fal-ai/flux-2-trainer': {
    dataset: 'image_data_url', lora: 'diffusers_lora_file',
    params: { ...base, defaultCaption: 'default_caption', outputLoraFormat: 'output_lora_format' },
  },
  'fal-ai/wan-22-image-trainer': {
    dataset: 'training_data_url', trigger: 'trigger_phrase', lora: 'diffusers_lora_file',
    params: {
      ...base, isStyle: 'is_style', useMasks: 'use_masks', useFaceDetection: 'use_face_detection',
      useFaceCropping: 'use_face_cropping', includeSyntheticCaptions: 'include_synthetic_captions',
    },
  },
  'fal-ai/z-image-trainer': {
    dataset: 'image_data_url', lora: 'diffusers_lora_file',
    params: { ...base, defaultCaption: 'default_caption', trainingType: 'training_type' },
  },
  'fal-ai/krea-2-trainer': {
    dataset: 'images_data_url', trigger: 'trigger_phrase', lora: 'lora_file',
    params: { ...base, autoCaptioning: 'auto_captioning', resolution: 'resolution', debugDataset: 'debug_dataset' },
  },
};

/** Trainers without a built-in map follow fal's most common naming (flux-lora-fast-training's). */
const genericMap: FalFieldMap = { dataset: 'images_data_url', trigger: 'trigger_word', lora: 'diffusers_lora_file', params: { ...base } };

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The field map of a trainer; an endpoint with a sub-path (`fal-ai/wan-trainer/t2v`) uses its app's map. */
export function falFieldMap(trainerId: string): FalFieldMap {
  const app = trainerId.split('/').slice(0, 2).join('/');
  return falFieldMaps[trainerId] ?? falFieldMaps[app] ?? genericMap;
}

export function falField(trainerId: string, canonicalKey: string): string {
  return falFieldMap(trainerId).params[canonicalKey] ?? snakeCase(canonicalKey);
}

/** The fal request body for a training: dataset URL, trigger phrase and every parameter under fal's names. */
export function toFalInput(trainerId: string, request: { datasetUrl: string; triggerPhrase: string; params: ParamValues }): Record<string, unknown> {
  const map = falFieldMap(trainerId);
  const input: Record<string, unknown> = { [map.dataset]: request.datasetUrl };
  if (map.trigger && request.triggerPhrase) input[map.trigger] = request.triggerPhrase;
  for (const [key, value] of Object.entries(request.params)) input[falField(trainerId, key)] = value;
  return input;
}

/** The fal input field carrying the step count, for readers of a fal request body (the emulator). */
export const falStepsField = (trainerId: string) => falField(trainerId, 'steps');

export interface FalFile {
  url: string;
  content_type?: string;
  file_name?: string;
  file_size?: number;
}

const isFile = (value: unknown): value is FalFile =>
  typeof value === 'object' && value !== null && typeof (value as FalFile).url === 'string';

/** The LoRA file in a fal trainer's output: the trainer's own field first, then any known LoRA field. */
export function falLoraFile(trainerId: string, output: unknown): FalFile | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const record = output as Record<string, unknown>;
  for (const field of [falFieldMap(trainerId).lora, 'diffusers_lora_file', 'lora_file']) {
    if (isFile(record[field])) return record[field];
  }
  return undefined;
}

// ---------- Replicate ----------

export interface ReplicateFieldMap {
  /** owner/name of the Replicate model whose versions train (the trainings URL). */
  model: string;
  /** Input field that takes the dataset zip URL. */
  dataset: string;
  /** Input field that takes the trigger phrase. */
  trigger?: string;
  /** Canonical key → input field of the model's train(). */
  params: Record<string, string>;
  /** The trainer's output.weights is an archive holding the LoRA as this member. */
  archive: { format: 'tar'; member: string };
}

export const replicateFieldMaps: Record<string, ReplicateFieldMap> = {
  // replicate/flux-fine-tuner train.py: the weights are a tar of output/flux_train_replicate/ with lora.safetensors.
  'replicate/ostris/flux-dev-lora-trainer': {
    model: 'ostris/flux-dev-lora-trainer', dataset: 'input_images', trigger: 'trigger_word',
    archive: { format: 'tar', member: 'lora.safetensors' },
    params: {
      steps: 'steps', learningRate: 'learning_rate', rank: 'lora_rank', batchSize: 'batch_size', resolution: 'resolution',
      autoCaption: 'autocaption', autoCaptionPrefix: 'autocaption_prefix', autoCaptionSuffix: 'autocaption_suffix',
      captionDropoutRate: 'caption_dropout_rate', optimizer: 'optimizer', cacheLatentsToDisk: 'cache_latents_to_disk',
      gradientCheckpointing: 'gradient_checkpointing',
    },
  },
};

/** Loraworks ids of Replicate trainers are `replicate/{owner}/{name}`. */
export function replicateFieldMap(trainerId: string): ReplicateFieldMap {
  const known = replicateFieldMaps[trainerId];
  if (known) return known;
  const model = trainerId.replace(/^replicate\//, '');
  // An unknown Replicate trainer is assumed to follow the flux-fine-tuner's names (most community trainers do).
  return { ...replicateFieldMaps['replicate/ostris/flux-dev-lora-trainer']!, model };
}

export function replicateField(trainerId: string, canonicalKey: string): string {
  return replicateFieldMap(trainerId).params[canonicalKey] ?? snakeCase(canonicalKey);
}

/** The `input` of a Replicate training: dataset URL, trigger phrase and every parameter under the model's names. */
export function toReplicateInput(trainerId: string, request: { datasetUrl: string; triggerPhrase: string; params: ParamValues }): Record<string, unknown> {
  const map = replicateFieldMap(trainerId);
  const input: Record<string, unknown> = { [map.dataset]: request.datasetUrl };
  if (map.trigger && request.triggerPhrase) input[map.trigger] = request.triggerPhrase;
  for (const [key, value] of Object.entries(request.params)) {
    // Empty optional text (a caption prefix left blank) means "not set", which the trainer expresses as absent.
    if (value === '') continue;
    input[replicateField(trainerId, key)] = value;
  }
  return input;
}
