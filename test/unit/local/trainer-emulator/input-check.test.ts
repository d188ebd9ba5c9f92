// The emulator reads a request with the trainer's own schema, not with Loraworks' provider mapping: the request
// Loraworks builds for every trainer must pass, and a misnamed or mistyped field must be refused as the
// provider refuses it.
import { describe, expect, it } from 'vitest';
import { toFalInput, toReplicateInput } from '#providers/training-inputs';
import { fallbackTrainers } from '#domain/trainer-catalog';
import { validateParams } from '#domain/training-request';
import { FAL_LISTING } from '#local/trainer-emulator/fal-models';
import { FAL_TRAINERS } from '#local/trainer-emulator/fal-trainers';
import { falInputErrors, replicateInputErrors } from '#local/trainer-emulator/input-check';
import { REPLICATE_TRAINERS } from '#local/trainer-emulator/replicate-trainers';
import { emulatedTrainer } from '#local/trainer-emulator/trainers';

const datasetUrl = 'https://s3.local/set.zip';

describe("the emulator's trainer schemas", () => {
  it('emulates every built-in trainer of Loraworks, and no other', () => {
    expect([...FAL_TRAINERS, ...REPLICATE_TRAINERS].map((trainer) => trainer.id).sort()).toEqual(fallbackTrainers.map((trainer) => trainer.id).sort());
    expect(Object.keys(FAL_LISTING), "fal's model listing").toEqual(FAL_TRAINERS.map((trainer) => trainer.id));
  });

  it.each(fallbackTrainers.map((trainer) => [trainer.id, trainer] as const))('accepts the request Loraworks builds for %s, every parameter set', (id, trainer) => {
    // The defaults, and a value for each parameter that has none, so that every mapped field is sent.
    const unset = trainer.params.filter((param) => param.default === undefined);
    const checked = validateParams(trainer, Object.fromEntries(unset.map((param) => [param.key, param.options?.[0] ?? (param.type === 'string' ? 'a caption' : param.min ?? 1)])));
    if (!('values' in checked)) throw new Error(`the defaults of ${id} do not validate`);
    const request = { datasetUrl, triggerPhrase: 'ohwx cat', params: checked.values };
    const emulated = emulatedTrainer(id)!;
    const errors = emulated.protocol === 'fal' ? falInputErrors(emulated, toFalInput(id, request)) : replicateInputErrors(emulated, toReplicateInput(id, request));
    expect(errors).toEqual([]);
  });

  it("refuses a fal field the trainer does not take, and one of the wrong type, in fal's words", () => {
    const trainer = emulatedTrainer('fal-ai/flux-lora-fast-training')!;
    expect(falInputErrors(trainer, { images_data_url: datasetUrl, trigger_phrase: 'ohwx', steps: 'many', emulator_faults: {} })).toEqual([
      { loc: ['body', 'steps'], msg: 'Input should be a valid integer', type: 'int_type', input: 'many' },
      { loc: ['body', 'trigger_phrase'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden', input: 'ohwx' },
    ]);
  });

  it('refuses a value outside the choices, a step count below 1, and a missing required field', () => {
    const trainer = emulatedTrainer('fal-ai/wan-22-image-trainer/some-sub-path')!;
    expect(falInputErrors(trainer, { training_data_url: datasetUrl, steps: 0 }).map(({ loc, type }) => [loc[1], type])).toEqual([
      ['steps', 'greater_than_equal'], ['trigger_phrase', 'missing'],
    ]);
    const kontext = emulatedTrainer('fal-ai/flux-kontext-trainer')!;
    expect(falInputErrors(kontext, { image_data_url: datasetUrl, output_lora_format: 'diffusers' })).toEqual([{
      loc: ['body', 'output_lora_format'], msg: "Input should be 'fal' or 'comfy'", type: 'literal_error', input: 'diffusers', ctx: { expected: "'fal' or 'comfy'" },
    }]);
  });

  it("refuses a Replicate input with an unknown field or a wrong type, in Replicate's words", () => {
    const trainer = emulatedTrainer('replicate/ostris/flux-dev-lora-trainer')!;
    expect(replicateInputErrors(trainer, { input_images: datasetUrl, rank: 16, autocaption: 'yes' })).toEqual([
      { type: 'invalid_type', field: 'input.autocaption', description: 'Invalid type. Expected: boolean, given: string' },
      { type: 'additional_property_not_allowed', field: 'input', description: 'Additional property rank is not allowed' },
    ]);
  });
});
