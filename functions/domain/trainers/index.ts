// Every trainer Loraworks describes, in the order the catalog lists them. Values come from fal's own input
// schemas (the endpoint types fal ships in its JS client, fal-ai/fal-js) and, for Replicate, from
// replicate/flux-fine-tuner's train.py.
// Those schemas omit `false` defaults (no boolean in them has one), so a boolean listed there without a
// default defaults to false here.
import { parseTrainerId } from '#domain/trainer-id';
import { fluxKontext, fluxKrea, fluxLoraFast, fluxPortrait, turboFlux } from './flux-1';
import { flux2 } from './flux-2';
import { hunyuanVideo } from './hunyuan-video';
import { krea2 } from './krea-2';
import { ltxVideo } from './ltx-video';
import { ostrisFluxDev } from './ostris-flux-dev';
import { IMAGE_FORMATS, VIDEO_FORMATS, captionedImages, steps, triggerWord } from './params';
import { ASSUMED_DURATIONS, ASSUMED_PRICES } from './pricing';
import { qwenImage } from './qwen-image';
import { falTrainer, type FalTrainerSpec, type ReplicateTrainerSpec, type TrainerSpec } from './trainer-spec';
import { wan21, wan22Image } from './wan';
import { zImage } from './z-image';

export type { FalTrainerSpec, ParamSpec, ReplicateTrainerSpec, TrainerSpec } from './trainer-spec';

export const trainerSpecs: readonly TrainerSpec[] = [
  fluxLoraFast, fluxPortrait, fluxKontext, turboFlux, wan21, hunyuanVideo, ltxVideo, qwenImage,
  fluxKrea, flux2, wan22Image, zImage, krea2,
  ostrisFluxDev,
];

/** A training model fal lists that Loraworks has no description of: fal's most common naming
 * (flux-lora-fast-training's) and a step count left to the trainer. */
export function genericTrainerSpec(id: string, name?: string, description?: string): FalTrainerSpec {
  const kind = /video|wan|ltx|hunyuan/i.test(`${id} ${name ?? ''}`) ? 'video' : 'image';
  return falTrainer(id, name || id, kind, {
    description: description || `fal trainer ${id}.`,
    dataset: captionedImages(1, kind === 'video' ? { formats: [...IMAGE_FORMATS, ...VIDEO_FORMATS] } : {}),
    datasetField: 'images_data_url', trigger: triggerWord, loraField: 'diffusers_lora_file',
    params: [steps(undefined, 'steps', 'How many training steps to run. Leave empty to use the trainer\'s own default.')],
    price: ASSUMED_PRICES.generic, duration: kind === 'video' ? ASSUMED_DURATIONS.video : ASSUMED_DURATIONS.image,
  });
}

/** The description of a fal trainer; an endpoint with a sub-path (`fal-ai/wan-trainer/t2v`) uses its app's. */
export function falTrainerSpec(trainerId: string): FalTrainerSpec {
  const app = parseTrainerId(trainerId).app;
  const known = trainerSpecs.find((spec) => spec.provider === 'fal' && (spec.id === trainerId || spec.id === app));
  return (known as FalTrainerSpec | undefined) ?? genericTrainerSpec(trainerId);
}

/** An unknown Replicate trainer is assumed to follow the flux-fine-tuner's names (most community trainers do). */
export function replicateTrainerSpec(trainerId: string): ReplicateTrainerSpec {
  const known = trainerSpecs.find((spec): spec is ReplicateTrainerSpec => spec.provider === 'replicate' && spec.id === trainerId);
  return known ?? { ...ostrisFluxDev, id: trainerId };
}

/** The description of any trainer by its id, described or not (a job's trainer, long after the catalog served it). */
export const trainerSpec = (trainerId: string): TrainerSpec =>
  (parseTrainerId(trainerId).provider === 'replicate' ? replicateTrainerSpec(trainerId) : falTrainerSpec(trainerId));
