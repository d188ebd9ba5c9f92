// Every output file of a trainer: which fields each described fal trainer returns and what each one is, how a
// fal result is read into files, and the names they are stored under.
import { describe, expect, it } from 'vitest';
import { jobArtifacts, uniqueNames } from '#domain/artifacts';
import { fallbackTrainers } from '#domain/trainer-catalog';
import { falTrainerSpec } from '#domain/trainers/index';
import { falOutputRoles } from '#domain/trainers/trainer-spec';
import { falOutputFiles } from '#providers/training-inputs';

/** The File fields of each described trainer's Output type, as fal publishes them
 * (/work/shared/reference/fal-trainer-schemas.md, from fal-ai/fal-js libs/client/src/types/endpoints.ts); `?` = optional. */
const FAL_OUTPUTS: Record<string, string[]> = {
  'fal-ai/flux-lora-fast-training': ['config_file', 'debug_preprocessed_output?', 'diffusers_lora_file'],
  'fal-ai/flux-lora-portrait-trainer': ['config_file', 'diffusers_lora_file'],
  'fal-ai/flux-kontext-trainer': ['diffusers_lora_file', 'config_file'],
  'fal-ai/turbo-flux-trainer': ['config_file', 'diffusers_lora_file'],
  'fal-ai/wan-trainer': ['config_file', 'lora_file'],
  'fal-ai/hunyuan-video-lora-training': ['config_file', 'diffusers_lora_file'],
  'fal-ai/ltx-video-trainer': ['config_file', 'lora_file', 'video?'],
  'fal-ai/qwen-image-trainer': ['config_file', 'lora_file'],
  'fal-ai/flux-krea-trainer': ['config_file', 'debug_preprocessed_output?', 'diffusers_lora_file'],
  'fal-ai/flux-2-trainer': ['config_file', 'diffusers_lora_file'],
  'fal-ai/wan-22-image-trainer': ['config_file', 'diffusers_lora_file', 'high_noise_lora'],
  'fal-ai/z-image-trainer': ['config_file', 'diffusers_lora_file'],
  'fal-ai/krea-2-trainer': ['config_file', 'debug_dataset?', 'lora_file'],
};

const file = (name: string) => ({ url: `https://v3.fal.media/files/x/${name}`, file_name: name, file_size: 10, content_type: 'application/octet-stream' });

describe('the output files each trainer spec describes', () => {
  it('names every File field of each described fal trainer\'s published output, and no other', () => {
    const described = fallbackTrainers.filter((entry) => entry.provider === 'fal').map((trainer) => trainer.id);
    expect(described.sort()).toEqual(Object.keys(FAL_OUTPUTS).sort());
    for (const id of described) {
      const fields = falOutputRoles(falTrainerSpec(id)).map(([field]) => field);
      expect(fields.sort(), id).toEqual(FAL_OUTPUTS[id]!.map((field) => field.replace(/\?$/, '')).sort());
    }
  });

  it('gives each field its role: the LoRA first, Wan 2.2\'s second LoRA, the config, samples and the rest', () => {
    expect(falOutputRoles(falTrainerSpec('fal-ai/wan-22-image-trainer'))).toEqual([
      ['diffusers_lora_file', 'lora'], ['config_file', 'config'], ['high_noise_lora', 'lora-high-noise'],
    ]);
    expect(falOutputRoles(falTrainerSpec('fal-ai/ltx-video-trainer'))).toEqual([['lora_file', 'lora'], ['config_file', 'config'], ['video', 'sample']]);
    expect(falOutputRoles(falTrainerSpec('fal-ai/flux-lora-fast-training'))).toContainEqual(['debug_preprocessed_output', 'other']);
    // A trainer fal lists that Loraworks does not describe: its LoRA and the config every fal trainer returns.
    expect(falOutputRoles(falTrainerSpec('fal-ai/new-trainer'))).toEqual([['diffusers_lora_file', 'lora'], ['config_file', 'config']]);
  });
});

describe('reading a fal result into its files', () => {
  it('lists every file of a Wan 2.2 result with its role, the LoRA first', () => {
    const output = { config_file: file('config.json'), high_noise_lora: file('high_noise_lora.safetensors'), diffusers_lora_file: file('pytorch_lora_weights.safetensors') };
    expect(falOutputFiles('fal-ai/wan-22-image-trainer', output)).toEqual([
      { ...file('pytorch_lora_weights.safetensors'), field: 'diffusers_lora_file', role: 'lora' },
      { ...file('config.json'), field: 'config_file', role: 'config' },
      { ...file('high_noise_lora.safetensors'), field: 'high_noise_lora', role: 'lora-high-noise' },
    ]);
  });

  it('leaves out optional files the result lacks and non-file fields, and keeps a file field it does not know as `other`', () => {
    const output = { lora_file: file('lora.safetensors'), config_file: file('c.json'), prompt_enhancement_system_prompt: 'be nice', extra_grid: file('grid.png') };
    expect(falOutputFiles('fal-ai/krea-2-trainer', output)?.map(({ field, role }) => [field, role])).toEqual([
      ['lora_file', 'lora'], ['config_file', 'config'], ['extra_grid', 'other'],
    ]);
  });

  it('finds nothing without a LoRA file', () => {
    expect(falOutputFiles('fal-ai/wan-22-image-trainer', { config_file: file('c.json'), high_noise_lora: file('h.safetensors') })).toBeUndefined();
    expect(falOutputFiles('fal-ai/wan-22-image-trainer', null)).toBeUndefined();
  });
});

describe('the names a job\'s files are stored under', () => {
  it('keeps each name, and puts the output field in front of a name already taken', () => {
    expect(uniqueNames([
      { name: 'lora.safetensors', field: 'lora' }, { name: 'lora.safetensors', field: 'high_noise_lora' }, { name: 'config.json', field: 'config_file' },
    ])).toEqual(['lora.safetensors', 'high_noise_lora-lora.safetensors', 'config.json']);
  });

  it('lists the one LoRA of a job completed before every file was kept', () => {
    expect(jobArtifacts({ artifact: { fileName: 'a.safetensors', sizeBytes: 5, sha256: 'f'.repeat(64) } })).toEqual([
      { name: 'a.safetensors', role: 'lora', sizeBytes: 5, sha256: 'f'.repeat(64), contentType: 'application/octet-stream' },
    ]);
    expect(jobArtifacts({})).toEqual([]);
  });
});
