// The emulator's result of a finished fal training: every file field fal's Output schema of that endpoint lists.
import { describe, expect, it } from 'vitest';
import { trainingOutput } from '#local/trainer-emulator/training-output';
import { emulatedTrainer } from '#local/trainer-emulator/trainers';
import type { EmulatedRequest } from '#local/trainer-emulator/request';

const request = (endpoint: string, input: Record<string, unknown> = {}): EmulatedRequest => ({
  requestId: 'r1', endpoint, protocol: 'fal', status: 'COMPLETED', cancelRequested: false, step: 10, totalSteps: 10, input, submittedAt: new Date(0).toISOString(), faults: {}, faultsApplied: [],
});
const fields = (endpoint: string, input: Record<string, unknown> = {}) =>
  Object.keys(trainingOutput(emulatedTrainer(endpoint)!, request(endpoint, input), {}).outputFiles).sort();

describe('what the emulator returns for a finished fal training', () => {
  it('returns both Wan 2.2 LoRAs and the config, each its own file', () => {
    const output = trainingOutput(emulatedTrainer('fal-ai/wan-22-image-trainer')!, request('fal-ai/wan-22-image-trainer', { trigger_phrase: 'ohwx' }), {});
    expect(output.outputFiles).toEqual({
      diffusers_lora_file: 'pytorch_lora_weights.safetensors', high_noise_lora: 'high_noise_lora.safetensors', config_file: 'config.json',
    });
    expect(output.files.map((file) => [file.name, file.contentType])).toEqual([
      ['pytorch_lora_weights.safetensors', 'application/octet-stream'], ['high_noise_lora.safetensors', 'application/octet-stream'], ['config.json', 'application/json'],
    ]);
  });

  it('adds the optional files of the trainers whose schema has them', () => {
    expect(fields('fal-ai/flux-lora-fast-training')).toEqual(['config_file', 'debug_preprocessed_output', 'diffusers_lora_file']);
    expect(fields('fal-ai/flux-krea-trainer')).toEqual(['config_file', 'debug_preprocessed_output', 'diffusers_lora_file']);
    expect(fields('fal-ai/ltx-video-trainer')).toEqual(['config_file', 'lora_file', 'video']);
    expect(fields('fal-ai/krea-2-trainer')).toEqual(['config_file', 'lora_file']);
    expect(fields('fal-ai/krea-2-trainer', { debug_dataset: true })).toEqual(['config_file', 'debug_dataset', 'lora_file']);
    expect(fields('fal-ai/qwen-image-trainer')).toEqual(['config_file', 'lora_file']);
  });
});
