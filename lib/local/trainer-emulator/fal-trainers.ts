// The fal trainers the emulator serves, each with every input field its fal input schema lists (the endpoint
// types fal generates for its JS client from its OpenAPI schemas), the fields it requires, and its LoRA output
// fields. Ranges are not in those schemas, so only types are checked.
import type { EmulatedTrainer, ExtraOutput, FieldSpec, FieldType } from './trainer-schema';

interface KnownFields {
  dataset: string;
  /** @default 'steps' */
  steps?: string;
  defaultSteps?: number;
  trigger?: string;
  /** Fields required besides the dataset. */
  required?: string[];
  /** @default ['diffusers_lora_file'] */
  loraOutputs?: string[];
  extraOutputs?: ExtraOutput[];
}

function falTrainer(id: string, known: KnownFields, others: Record<string, FieldType> = {}): EmulatedTrainer {
  const steps = known.steps ?? 'steps';
  const types: Record<string, FieldType> = {
    [known.dataset]: 'string', [steps]: 'integer', ...(known.trigger ? { [known.trigger]: 'string' } : {}), ...others,
  };
  const required = new Set([known.dataset, ...(known.required ?? [])]);
  const inputs = Object.fromEntries(Object.entries(types).map(([field, type]): [string, FieldSpec] => [field, { type, ...(required.has(field) ? { required: true } : {}) }]));
  return {
    id, protocol: 'fal', dataset: known.dataset, steps, inputs,
    ...(known.defaultSteps === undefined ? {} : { defaultSteps: known.defaultSteps }),
    ...(known.trigger ? { trigger: known.trigger } : {}),
    loraOutputs: known.loraOutputs ?? ['diffusers_lora_file'],
    ...(known.extraOutputs ? { extraOutputs: known.extraOutputs } : {}),
  };
}

const LEARNING_RATE = { learning_rate: 'number' } as const;
const OUTPUT_LORA_FORMAT = { output_lora_format: ['fal', 'comfy'] } as const;
const RESOLUTION = ['low', 'medium', 'high'] as const;
const ASPECT_RATIO = ['16:9', '1:1', '9:16'] as const;
/** flux-lora-fast-training's and flux-krea-trainer's `debug_preprocessed_output`: the dataset as it trained on it. */
const PREPROCESSED = [{ field: 'debug_preprocessed_output', name: 'preprocessed_output.zip', contentType: 'application/zip' }];

/** flux-lora-fast-training's fields, which flux-krea-trainer shares. */
const FLUX_FAST_FIELDS = {
  create_masks: 'boolean', data_archive_format: 'string', is_input_format_already_preprocessed: 'boolean', is_style: 'boolean',
} as const;

export const FAL_TRAINERS: readonly EmulatedTrainer[] = [
  falTrainer('fal-ai/flux-lora-fast-training', { dataset: 'images_data_url', trigger: 'trigger_word', extraOutputs: PREPROCESSED }, FLUX_FAST_FIELDS),
  falTrainer('fal-ai/flux-lora-portrait-trainer', { dataset: 'images_data_url', defaultSteps: 2500, trigger: 'trigger_phrase' }, {
    ...LEARNING_RATE, create_masks: 'boolean', data_archive_format: 'string', multiresolution_training: 'boolean',
    resume_from_checkpoint: 'string', subject_crop: 'boolean',
  }),
  falTrainer('fal-ai/flux-kontext-trainer', { dataset: 'image_data_url', defaultSteps: 1000 }, { ...LEARNING_RATE, default_caption: 'string', ...OUTPUT_LORA_FORMAT }),
  falTrainer('fal-ai/turbo-flux-trainer', { dataset: 'images_data_url', defaultSteps: 1000, trigger: 'trigger_phrase' }, {
    ...LEARNING_RATE, face_crop: 'boolean', training_style: ['subject', 'style'],
  }),
  falTrainer('fal-ai/wan-trainer', { dataset: 'training_data_url', steps: 'number_of_steps', defaultSteps: 400, trigger: 'trigger_phrase', loraOutputs: ['lora_file'] }, {
    ...LEARNING_RATE, auto_scale_input: 'boolean',
  }),
  falTrainer('fal-ai/hunyuan-video-lora-training', { dataset: 'images_data_url', trigger: 'trigger_word', required: ['steps'] }, {
    ...LEARNING_RATE, data_archive_format: 'string', do_caption: 'boolean',
  }),
  falTrainer('fal-ai/ltx-video-trainer', {
    dataset: 'training_data_url', steps: 'number_of_steps', defaultSteps: 1000, trigger: 'trigger_phrase', loraOutputs: ['lora_file'],
    extraOutputs: [{ field: 'video', name: 'validation.mp4', contentType: 'video/mp4' }],
  }, {
    ...LEARNING_RATE, aspect_ratio: ASPECT_RATIO, auto_scale_input: 'boolean', frame_rate: 'number', number_of_frames: 'number',
    rank: ['8', '16', '32', '64', '128'], resolution: RESOLUTION, split_input_duration_threshold: 'number', split_input_into_scenes: 'boolean',
    validation: 'list', validation_aspect_ratio: ASPECT_RATIO, validation_negative_prompt: 'string', validation_number_of_frames: 'number',
    validation_resolution: RESOLUTION, validation_reverse: 'boolean',
  }),
  falTrainer('fal-ai/qwen-image-trainer', { dataset: 'image_data_url', defaultSteps: 1000, trigger: 'trigger_phrase', loraOutputs: ['lora_file'] }, LEARNING_RATE),
  falTrainer('fal-ai/flux-krea-trainer', { dataset: 'images_data_url', trigger: 'trigger_word', extraOutputs: PREPROCESSED }, FLUX_FAST_FIELDS),
  falTrainer('fal-ai/flux-2-trainer', { dataset: 'image_data_url', defaultSteps: 1000 }, { ...LEARNING_RATE, default_caption: 'string', ...OUTPUT_LORA_FORMAT }),
  falTrainer('fal-ai/wan-22-image-trainer', {
    dataset: 'training_data_url', defaultSteps: 1000, trigger: 'trigger_phrase', required: ['trigger_phrase'], loraOutputs: ['diffusers_lora_file', 'high_noise_lora'],
  }, {
    ...LEARNING_RATE, include_synthetic_captions: 'boolean', is_style: 'boolean', use_face_cropping: 'boolean', use_face_detection: 'boolean', use_masks: 'boolean',
  }),
  falTrainer('fal-ai/z-image-trainer', { dataset: 'image_data_url', defaultSteps: 1000 }, {
    ...LEARNING_RATE, default_caption: 'string', training_type: ['content', 'style', 'balanced'],
  }),
  falTrainer('fal-ai/krea-2-trainer', {
    dataset: 'images_data_url', defaultSteps: 100, trigger: 'trigger_phrase', loraOutputs: ['lora_file'],
    extraOutputs: [{ field: 'debug_dataset', name: 'debug_dataset.zip', contentType: 'application/zip', onlyWith: 'debug_dataset' }],
  }, {
    ...LEARNING_RATE, auto_captioning: ['Off', 'Object/Character', 'Style', 'Custom'], debug_dataset: 'boolean', resolution: [768, 1024],
  }),
];
