import { describe, expect, it } from 'vitest';
import { falTrainerSpec } from '#domain/trainers/index';
import { falLoraFile, replicateTarget, toFalInput, toReplicateInput } from '#providers/training-inputs';
import { fallbackTrainers } from '#domain/trainer-catalog';

/** The input fields and LoRA output field of each described fal trainer, as fal publishes them (the endpoint
 * types of fal's JS client, fal-ai/fal-js libs/client/src/types/endpoints.ts). */
const FAL_SCHEMAS: Record<string, { input: string[]; lora: string }> = {
  'fal-ai/flux-lora-fast-training': {
    input: ['create_masks', 'data_archive_format', 'images_data_url', 'is_input_format_already_preprocessed', 'is_style', 'steps', 'trigger_word'],
    lora: 'diffusers_lora_file',
  },
  'fal-ai/flux-lora-portrait-trainer': {
    input: ['create_masks', 'data_archive_format', 'images_data_url', 'learning_rate', 'multiresolution_training', 'resume_from_checkpoint', 'steps', 'subject_crop', 'trigger_phrase'],
    lora: 'diffusers_lora_file',
  },
  'fal-ai/flux-kontext-trainer': { input: ['image_data_url', 'steps', 'learning_rate', 'default_caption', 'output_lora_format'], lora: 'diffusers_lora_file' },
  'fal-ai/turbo-flux-trainer': { input: ['face_crop', 'images_data_url', 'learning_rate', 'steps', 'training_style', 'trigger_phrase'], lora: 'diffusers_lora_file' },
  'fal-ai/wan-trainer': { input: ['auto_scale_input', 'learning_rate', 'number_of_steps', 'training_data_url', 'trigger_phrase'], lora: 'lora_file' },
  'fal-ai/hunyuan-video-lora-training': {
    input: ['data_archive_format', 'do_caption', 'images_data_url', 'learning_rate', 'steps', 'trigger_word'], lora: 'diffusers_lora_file',
  },
  'fal-ai/ltx-video-trainer': {
    input: [
      'aspect_ratio', 'auto_scale_input', 'frame_rate', 'learning_rate', 'number_of_frames', 'number_of_steps', 'rank', 'resolution',
      'split_input_duration_threshold', 'split_input_into_scenes', 'training_data_url', 'trigger_phrase', 'validation', 'validation_aspect_ratio',
      'validation_negative_prompt', 'validation_number_of_frames', 'validation_resolution', 'validation_reverse',
    ],
    lora: 'lora_file',
  },
  'fal-ai/qwen-image-trainer': { input: ['image_data_url', 'learning_rate', 'steps', 'trigger_phrase'], lora: 'lora_file' },
  'fal-ai/flux-krea-trainer': {
    input: ['create_masks', 'data_archive_format', 'images_data_url', 'is_input_format_already_preprocessed', 'is_style', 'steps', 'trigger_word'],
    lora: 'diffusers_lora_file',
  },
  'fal-ai/flux-2-trainer': { input: ['default_caption', 'image_data_url', 'learning_rate', 'output_lora_format', 'steps'], lora: 'diffusers_lora_file' },
  'fal-ai/wan-22-image-trainer': {
    input: ['include_synthetic_captions', 'is_style', 'learning_rate', 'steps', 'training_data_url', 'trigger_phrase', 'use_face_cropping', 'use_face_detection', 'use_masks'],
    lora: 'diffusers_lora_file',
  },
  'fal-ai/z-image-trainer': { input: ['default_caption', 'image_data_url', 'learning_rate', 'steps', 'training_type'], lora: 'diffusers_lora_file' },
  'fal-ai/krea-2-trainer': { input: ['auto_captioning', 'debug_dataset', 'images_data_url', 'learning_rate', 'resolution', 'steps', 'trigger_phrase'], lora: 'lora_file' },
};

/** The inputs of replicate/flux-fine-tuner's train(), which ostris/flux-dev-lora-trainer runs. */
const OSTRIS_TRAIN_INPUTS = [
  'input_images', 'trigger_word', 'autocaption', 'autocaption_prefix', 'autocaption_suffix', 'steps', 'learning_rate', 'batch_size', 'resolution',
  'lora_rank', 'caption_dropout_rate', 'optimizer', 'cache_latents_to_disk', 'layers_to_optimize_regex', 'gradient_checkpointing',
];

const request = (params: Record<string, number | boolean | string>) => ({ datasetUrl: 'https://s3/set.zip', triggerPhrase: 'ohwx dog', params });

describe('mapping canonical parameters to fal fields', () => {
  it('names the dataset and trigger fields as each trainer does', () => {
    expect(toFalInput('fal-ai/flux-lora-fast-training', request({ steps: 800, createMasks: false, isStyle: true }))).toEqual({
      images_data_url: 'https://s3/set.zip', trigger_word: 'ohwx dog', steps: 800, create_masks: false, is_style: true,
    });
    expect(toFalInput('fal-ai/wan-trainer', request({ steps: 400, learningRate: 0.0002, autoScaleInput: true }))).toEqual({
      training_data_url: 'https://s3/set.zip', trigger_phrase: 'ohwx dog', number_of_steps: 400, learning_rate: 0.0002, auto_scale_input: true,
    });
    expect(toFalInput('fal-ai/qwen-image-trainer', request({ steps: 10 }))).toEqual({
      image_data_url: 'https://s3/set.zip', trigger_phrase: 'ohwx dog', steps: 10,
    });
  });

  it('sends no trigger to a trainer that has no trigger field', () => {
    expect(toFalInput('fal-ai/flux-kontext-trainer', request({ defaultCaption: 'make it red', outputLoraFormat: 'comfy' }))).toEqual({
      image_data_url: 'https://s3/set.zip', default_caption: 'make it red', output_lora_format: 'comfy',
    });
  });

  it('sends every parameter of every built-in trainer under a field of that trainer\'s published input schema', () => {
    const described = fallbackTrainers.filter((entry) => entry.provider === 'fal');
    expect(described.map((trainer) => trainer.id).sort()).toEqual(Object.keys(FAL_SCHEMAS).sort());
    for (const trainer of described) {
      const schema = FAL_SCHEMAS[trainer.id]!;
      const input = toFalInput(trainer.id, request(Object.fromEntries(trainer.params.map((param) => [param.key, param.default ?? 'x']))));
      // One field per parameter, plus the dataset and (where the trainer takes one) the trigger phrase.
      expect(Object.keys(input), trainer.id).toHaveLength(trainer.params.length + (trainer.trigger === 'none' ? 1 : 2));
      for (const field of Object.keys(input)) expect(schema.input, `${trainer.id} has no input field ${field}`).toContain(field);
      const schemaTakesTrigger = schema.input.some((field) => field.startsWith('trigger_'));
      expect(trainer.trigger !== 'none', `${trainer.id}: whether it takes a trigger phrase`).toBe(schemaTakesTrigger);
      expect(falTrainerSpec(trainer.id).loraField, trainer.id).toBe(schema.lora);
    }
  });

  it('uses the app\'s map for a sub-path and snake_case for unknown trainers', () => {
    expect(toFalInput('fal-ai/wan-trainer/t2v', request({ steps: 5 }))).toMatchObject({ number_of_steps: 5 });
    expect(toFalInput('fal-ai/new-trainer', request({ steps: 5, loraRank: 16 }))).toEqual({
      images_data_url: 'https://s3/set.zip', trigger_word: 'ohwx dog', steps: 5, lora_rank: 16,
    });
  });

  it('finds the LoRA file in each trainer\'s output shape', () => {
    const file = { url: 'https://cdn/x.safetensors', file_name: 'x.safetensors', file_size: 10 };
    expect(falLoraFile('fal-ai/flux-lora-fast-training', { diffusers_lora_file: file, config_file: { url: 'c' } })).toEqual(file);
    expect(falLoraFile('fal-ai/wan-trainer', { lora_file: file, config_file: { url: 'c' } })).toEqual(file);
    expect(falLoraFile('fal-ai/wan-trainer', { config_file: { url: 'c' } })).toBeUndefined();
    expect(falLoraFile('fal-ai/wan-trainer', null)).toBeUndefined();
  });
});

describe('mapping canonical parameters to Replicate fields', () => {
  const id = 'replicate/ostris/flux-dev-lora-trainer';

  it('builds the flux trainer\'s train() input', () => {
    expect(toReplicateInput(id, request({ steps: 1200, learningRate: 0.0004, rank: 32, autoCaption: false, autoCaptionPrefix: '', optimizer: 'prodigy' }))).toEqual({
      input_images: 'https://s3/set.zip', trigger_word: 'ohwx dog', steps: 1200, learning_rate: 0.0004, lora_rank: 32, autocaption: false, optimizer: 'prodigy',
    });
  });

  it('sends every parameter under a field of the model\'s train(), and knows the LoRA is in a tar', () => {
    const trainer = fallbackTrainers.find((entry) => entry.id === id)!;
    const input = toReplicateInput(id, request(Object.fromEntries(trainer.params.map((param) => [param.key, param.default ?? 'x']))));
    expect(Object.keys(input)).toHaveLength(trainer.params.length + 2);
    for (const field of Object.keys(input)) expect(OSTRIS_TRAIN_INPUTS, `train() has no input ${field}`).toContain(field);
    expect(replicateTarget(id).archive).toEqual({ format: 'tar', member: 'lora.safetensors' });
    expect(toReplicateInput(id, request({ captionDropoutRate: 0.1 }))).toMatchObject({ caption_dropout_rate: 0.1 });
    expect(replicateTarget('replicate/someone/their-trainer').model).toBe('someone/their-trainer');
  });
});
