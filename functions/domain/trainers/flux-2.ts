// fal's FLUX.2 [dev] trainer. Images without a caption file take the default caption; there is no trigger phrase.
import { captionedImages, defaultCaption, learningRate, outputLoraFormat, steps } from './params';
import { ASSUMED_DURATIONS, perSteps } from './pricing';
import { falTrainer } from './trainer-spec';

export const flux2 = falTrainer('fal-ai/flux-2-trainer', 'FLUX.2 [dev] LoRA', 'image', {
  description: 'LoRA training for FLUX.2 [dev] from images with same-named .txt captions.',
  dataset: captionedImages(10), datasetField: 'image_data_url', loraField: 'diffusers_lora_file',
  params: [steps(1000), learningRate(0.00005), defaultCaption, outputLoraFormat],
  // fal: "0.0064 × steps".
  price: perSteps(0.0064, 1, 'https://fal.ai/models/fal-ai/flux-2-trainer/llms.txt'), duration: ASSUMED_DURATIONS.flux2,
});
