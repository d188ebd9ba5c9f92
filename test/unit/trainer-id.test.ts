import { describe, expect, it } from 'vitest';
import { parseTrainerId } from '#domain/trainer-id';

describe('parsing a trainer id', () => {
  it('gives a fal endpoint\'s app without its sub-path, keeping a namespace', () => {
    expect(parseTrainerId('fal-ai/wan-trainer/t2v')).toEqual({ provider: 'fal', app: 'fal-ai/wan-trainer' });
    expect(parseTrainerId('fal-ai/flux-lora-fast-training')).toEqual({ provider: 'fal', app: 'fal-ai/flux-lora-fast-training' });
    expect(parseTrainerId('workflows/me/flow/sub')).toEqual({ provider: 'fal', app: 'workflows/me/flow' });
  });

  it('gives a Replicate trainer\'s model', () => {
    expect(parseTrainerId('replicate/ostris/flux-dev-lora-trainer')).toEqual({ provider: 'replicate', app: 'ostris/flux-dev-lora-trainer' });
  });
});
