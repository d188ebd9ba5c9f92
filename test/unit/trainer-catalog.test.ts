import { describe, expect, it } from 'vitest';
import { Trainer } from '#domain/schemas';
import { fallbackTrainers, findTrainer, genericTrainer } from '#domain/trainer-catalog';
import { validateParams } from '#domain/training-request';

const trainer = (id: string) => {
  const found = findTrainer(fallbackTrainers, id);
  if (!found) throw new Error(`no built-in entry for ${id}`);
  return found;
};

describe('the fallback trainer catalog', () => {
  it('has a valid entry for every known fal trainer', () => {
    const ids = fallbackTrainers.map((entry) => entry.id);
    expect(ids).toEqual([
      'fal-ai/flux-lora-fast-training', 'fal-ai/flux-lora-portrait-trainer', 'fal-ai/flux-kontext-trainer', 'fal-ai/turbo-flux-trainer',
      'fal-ai/wan-trainer', 'fal-ai/hunyuan-video-lora-training', 'fal-ai/ltx-video-trainer', 'fal-ai/qwen-image-trainer',
      'fal-ai/flux-krea-trainer', 'fal-ai/flux-2-trainer', 'fal-ai/wan-22-image-trainer', 'fal-ai/z-image-trainer', 'fal-ai/krea-2-trainer',
      'replicate/ostris/flux-dev-lora-trainer',
    ]);
    expect(fallbackTrainers.filter((entry) => entry.provider === 'replicate').map((entry) => entry.id)).toEqual(['replicate/ostris/flux-dev-lora-trainer']);
    for (const entry of fallbackTrainers) {
      expect(() => Trainer.parse(entry), entry.id).not.toThrow();
      const keys = entry.params.map((param) => param.key);
      expect(new Set(keys).size, `${entry.id} repeats a key`).toBe(keys.length);
      for (const param of entry.params) {
        if (param.type === 'enum') expect(param.options, `${entry.id} ${param.key}`).toContain(param.default);
        if (typeof param.default === 'number') {
          expect(param.default).toBeGreaterThanOrEqual(param.min ?? -Infinity);
          expect(param.default).toBeLessThanOrEqual(param.max ?? Infinity);
        }
      }
    }
  });

  it('uses the trainers\' published defaults', () => {
    const defaults = (id: string) => Object.fromEntries(trainer(id).params.map((param) => [param.key, param.default]));
    expect(defaults('fal-ai/flux-lora-portrait-trainer')).toMatchObject({ steps: 2500, learningRate: 0.00009, multiresolutionTraining: true, subjectCrop: true });
    expect(defaults('fal-ai/turbo-flux-trainer')).toMatchObject({ steps: 1000, learningRate: 0.00115, trainingStyle: 'subject', faceCrop: true });
    expect(defaults('fal-ai/wan-trainer')).toMatchObject({ steps: 400, learningRate: 0.0002 });
    expect(defaults('fal-ai/ltx-video-trainer')).toMatchObject({ rank: '128', resolution: 'medium' });
    expect(defaults('fal-ai/flux-lora-fast-training')).toMatchObject({ createMasks: true, isStyle: false });
    expect(trainer('fal-ai/flux-lora-fast-training').params.some((param) => param.key === 'learningRate')).toBe(false);
    expect(trainer('fal-ai/wan-trainer').kind).toBe('video');
  });

  it('accepts its own defaults for every trainer, and an empty parameter set', () => {
    for (const entry of fallbackTrainers) {
      const defaults = Object.fromEntries(entry.params.filter((param) => param.default !== undefined).map((param) => [param.key, param.default!]));
      expect(validateParams(entry, defaults), entry.id).toEqual({ values: defaults });
      expect(validateParams(entry, {}), entry.id).toEqual({ values: defaults });
    }
  });

  it('describes the model-specific options of the newer trainers', () => {
    const keys = (id: string) => trainer(id).params.map((param) => param.key);
    expect(keys('fal-ai/wan-22-image-trainer')).toEqual(expect.arrayContaining(['isStyle', 'useMasks', 'useFaceDetection', 'useFaceCropping', 'includeSyntheticCaptions']));
    expect(keys('fal-ai/flux-2-trainer')).toEqual(expect.arrayContaining(['defaultCaption', 'outputLoraFormat']));
    expect(keys('fal-ai/z-image-trainer')).toContain('trainingType');
    expect(validateParams(trainer('fal-ai/krea-2-trainer'), { resolution: 1024 })).toMatchObject({ values: { resolution: 1024, steps: 100 } });
    const replicate = trainer('replicate/ostris/flux-dev-lora-trainer');
    expect(replicate).toMatchObject({ provider: 'replicate', kind: 'image', outputFormat: 'safetensors' });
    expect(validateParams(replicate, { steps: 6001 })).toEqual({ details: [{ field: 'params.steps', message: 'Steps must be at most 6000; got 6001.' }] });
    expect(validateParams(replicate, { optimizer: 'sgd' })).toMatchObject({ details: [{ field: 'params.optimizer' }] });
  });

  it('says which trainers take a trigger phrase: the edit and default-caption ones take none', () => {
    const without = fallbackTrainers.filter((entry) => entry.trigger === 'none').map((entry) => entry.id);
    expect(without).toEqual(['fal-ai/flux-kontext-trainer', 'fal-ai/flux-2-trainer', 'fal-ai/z-image-trainer']);
    expect(fallbackTrainers.filter((entry) => entry.trigger !== 'none').every((entry) => entry.trigger === 'required')).toBe(true);
    expect(genericTrainer('fal-ai/new-trainer').trigger).toBe('required');
    expect(Object.keys(trainer('fal-ai/z-image-trainer').params[0]!), 'provider field names stay out of the catalog').not.toContain('field');
  });

  it('finds nothing for an unknown id', () => {
    expect(findTrainer(fallbackTrainers, 'fal-ai/nope')).toBeUndefined();
  });

  it('gives an unknown training model a usable generic entry', () => {
    const entry = genericTrainer('fal-ai/some-video-trainer', 'Some Video');
    expect(() => Trainer.parse(entry)).not.toThrow();
    expect(entry.kind).toBe('video');
    expect(validateParams(entry, {})).toEqual({ values: {} });
  });
});

describe('validating job parameters', () => {
  const portrait = trainer('fal-ai/flux-lora-portrait-trainer');

  it('fills in defaults for everything not given', () => {
    expect(validateParams(portrait, { steps: 1200 })).toEqual({
      values: { steps: 1200, learningRate: 0.00009, multiresolutionTraining: true, subjectCrop: true, createMasks: false },
    });
  });

  it('rejects unknown keys, wrong types, out-of-range and not-in-options values with field details', () => {
    const result = validateParams(trainer('fal-ai/ltx-video-trainer'), {
      steps: 0, learningRate: 'fast', rank: '100', autoScaleInput: 'yes', frameRate: 24.5, colour: 'blue',
    });
    expect('details' in result).toBe(true);
    if (!('details' in result)) return;
    const byField = Object.fromEntries(result.details.map((detail) => [detail.field, detail.message]));
    expect(Object.keys(byField).sort()).toEqual(
      ['params.autoScaleInput', 'params.colour', 'params.frameRate', 'params.learningRate', 'params.rank', 'params.steps'],
    );
    expect(byField['params.steps']).toBe('Steps must be at least 1; got 0.');
    expect(byField['params.rank']).toBe('LoRA rank must be one of 8, 16, 32, 64, 128; got "100".');
    expect(byField['params.learningRate']).toBe('Learning rate must be a number.');
    expect(byField['params.autoScaleInput']).toBe('Auto-scale videos must be true or false.');
    expect(byField['params.frameRate']).toBe('Frame rate must be a whole number; got 24.5.');
    expect(byField['params.colour']).toMatch(/has no parameter "colour"\. Known parameters: steps, learningRate, rank/);
  });

  it('rejects a step count above the maximum', () => {
    expect(validateParams(portrait, { steps: 50000 })).toEqual({
      details: [{ field: 'params.steps', message: 'Steps must be at least 1; got 50000.'.replace('at least 1', 'at most 10000') }],
    });
  });

  it('reports a required parameter that has no default', () => {
    const entry = { ...portrait, params: [{ ...portrait.params[0]!, default: undefined, required: true }] };
    expect(validateParams(entry, {})).toEqual({ details: [{ field: 'params.steps', message: 'Steps is required for FLUX.1 [dev] portrait LoRA.' }] });
  });
});
