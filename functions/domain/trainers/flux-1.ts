// fal's FLUX.1 trainers: [dev] and Krea [dev] LoRAs, the portrait and Turbo variants, and Kontext's edit LoRA.
import type { TrainerPrice } from '#domain/schemas';
import { captionedImages, choice, defaultCaption, flag, learningRate, outputLoraFormat, steps, triggerPhrase, triggerWord } from './params';
import { ASSUMED_DURATIONS, ASSUMED_PRICES, perRun, perSteps } from './pricing';
import { falTrainer } from './trainer-spec';

const createMasks = flag('createMasks', 'create_masks', 'Create masks', true, 'Weights the training loss with segmentation masks (a face mask for people) so the background is learned less.');
const isStyle = flag('isStyle', 'is_style', 'Train a style', false, 'Turn on when the images share a style rather than a subject: segmentation and captioning are skipped and the trigger phrase names the style.');
const preprocessed = flag('isInputFormatAlreadyPreprocessed', 'is_input_format_already_preprocessed', 'Dataset already preprocessed', false,
  'Turn on only if the archive is already in fal\'s preprocessed layout instead of image files with same-named .txt captions.');

/** flux-lora-fast-training and flux-krea-trainer take the same input; fal publishes no default step count for Krea,
 * so Loraworks sends 1000 to both unless the user sets it. */
const fluxLora = (id: string, name: string, training: string, price: TrainerPrice) => falTrainer(id, name, 'image', {
  description: `${training} on a subject, object or style from a few captioned images.`,
  dataset: captionedImages(4), datasetField: 'images_data_url', trigger: triggerWord, loraField: 'diffusers_lora_file',
  otherOutputs: { debug_preprocessed_output: 'other' },
  params: [steps(1000), createMasks, isStyle, preprocessed],
  price, duration: ASSUMED_DURATIONS.flux1,
});

export const fluxLoraFast = fluxLora('fal-ai/flux-lora-fast-training', 'FLUX.1 [dev] LoRA (fast)', 'Fast LoRA training for FLUX.1 [dev]',
  // fal: "$2 per training run (scales linearly with steps)"; a run is its default 1,000 steps.
  perSteps(2, 1000, 'https://fal.ai/models/fal-ai/flux-lora-fast-training'));
export const fluxKrea = fluxLora('fal-ai/flux-krea-trainer', 'FLUX.1 Krea [dev] LoRA', 'LoRA training for FLUX.1 Krea [dev]',
  // fal: "$2 per run".
  perRun(2, 'https://fal.ai/models/fal-ai/flux-krea-trainer/llms.txt'));

const multiresolution = flag('multiresolutionTraining', 'multiresolution_training', 'Multi-resolution training', true, 'Trains at several resolutions so the LoRA works at different output sizes.');
const subjectCrop = flag('subjectCrop', 'subject_crop', 'Crop to subject', true, 'Crops each image around the subject before training.');
const subjectMasks = flag('createMasks', 'create_masks', 'Create masks', false, 'Creates masks for the subject so the background is learned less.');

export const fluxPortrait = falTrainer('fal-ai/flux-lora-portrait-trainer', 'FLUX.1 [dev] portrait LoRA', 'image', {
  description: 'FLUX.1 [dev] LoRA training tuned for portraits of one person. Captions may contain [trigger], which is replaced by the trigger phrase.',
  dataset: captionedImages(10), datasetField: 'images_data_url', trigger: triggerPhrase, loraField: 'diffusers_lora_file',
  params: [steps(2500), learningRate(0.00009), multiresolution, subjectCrop, subjectMasks],
  price: ASSUMED_PRICES.fluxPortrait, duration: ASSUMED_DURATIONS.flux1,
});

/** Learns an edit, not a subject: the pairs and their instructions say what the LoRA does, so there is no trigger phrase. */
export const fluxKontext = falTrainer('fal-ai/flux-kontext-trainer', 'FLUX.1 Kontext [dev] edit LoRA', 'image', {
  description: 'Teaches FLUX.1 Kontext an image edit from before/after pairs named ROOT_start.EXT and ROOT_end.EXT, with an optional ROOT.txt holding the edit instruction.',
  dataset: captionedImages(2, { layout: 'start-end' }), datasetField: 'image_data_url', loraField: 'diffusers_lora_file',
  params: [steps(1000), learningRate(0.0001), defaultCaption, outputLoraFormat],
  price: ASSUMED_PRICES.fluxKontext, duration: ASSUMED_DURATIONS.flux1,
});

export const turboFlux = falTrainer('fal-ai/turbo-flux-trainer', 'Turbo FLUX LoRA', 'image', {
  description: 'Quick FLUX LoRA training for a subject or a style.',
  dataset: captionedImages(10), datasetField: 'images_data_url', trigger: triggerPhrase, loraField: 'diffusers_lora_file',
  params: [
    steps(1000), learningRate(0.00115),
    choice('trainingStyle', 'training_style', 'Training style', ['subject', 'style'], 'subject', 'Subject learns a person or object; style learns the look shared by the images.'),
    flag('faceCrop', 'face_crop', 'Crop to face', true, 'Detects the face in each image and crops around it.'),
  ],
  // fal: "$2.40 per 1000-step training run. It scales per step".
  price: perSteps(2.4, 1000, 'https://fal.ai/models/fal-ai/turbo-flux-trainer/llms.txt'), duration: ASSUMED_DURATIONS.turboFlux,
});
