// fal's FLUX.2 [dev] trainer. Images without a caption file take the default caption; there is no trigger phrase.
import { captionedImages, defaultCaption, learningRate, outputLoraFormat, steps } from './params';
import { falTrainer } from './trainer-spec';

export const flux2 = falTrainer('fal-ai/flux-2-trainer', 'FLUX.2 [dev] LoRA', 'image', {
  description: 'LoRA training for FLUX.2 [dev] from images with same-named .txt captions.',
  dataset: captionedImages(10), datasetField: 'image_data_url', loraField: 'diffusers_lora_file',
  params: [steps(1000), learningRate(0.00005), defaultCaption, outputLoraFormat],
});
