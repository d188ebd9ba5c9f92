import { describe, expect, it } from 'vitest';
import { falField, falLoraFile, replicateField, replicateFieldMap, toFalInput, toReplicateInput } from '../../functions/domain/param-mapping';
import { fallbackTrainers } from '../../functions/domain/trainer-catalog';

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

  it('maps every parameter of every built-in trainer explicitly', () => {
    for (const trainer of fallbackTrainers.filter((entry) => entry.provider === 'fal')) {
      const input = toFalInput(trainer.id, request(Object.fromEntries(trainer.params.map((param) => [param.key, param.default ?? 'x']))));
      for (const param of trainer.params) expect(Object.keys(input), `${trainer.id} ${param.key}`).toContain(falField(trainer.id, param.key));
    }
    expect(falField('fal-ai/ltx-video-trainer', 'splitInputDurationThreshold')).toBe('split_input_duration_threshold');
  });

  it('uses the app\'s map for a sub-path and snake_case for unknown trainers', () => {
    expect(falField('fal-ai/wan-trainer/t2v', 'steps')).toBe('number_of_steps');
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

  it('maps every parameter of every built-in Replicate trainer explicitly, and knows the LoRA is in a tar', () => {
    for (const trainer of fallbackTrainers.filter((entry) => entry.provider === 'replicate')) {
      const map = replicateFieldMap(trainer.id);
      for (const param of trainer.params) expect(map.params[param.key], `${trainer.id} ${param.key}`).toBeDefined();
      expect(map.archive).toEqual({ format: 'tar', member: 'lora.safetensors' });
    }
    expect(replicateField(id, 'captionDropoutRate')).toBe('caption_dropout_rate');
    expect(replicateFieldMap('replicate/someone/their-trainer').model).toBe('someone/their-trainer');
  });
});
