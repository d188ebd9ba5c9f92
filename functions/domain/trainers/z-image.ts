// fal's Z-Image LoRA trainer. Images without a caption file take the default caption; there is no trigger phrase.
import { captionedImages, choice, defaultCaption, learningRate, steps } from './params';
import { ASSUMED_DURATIONS, ASSUMED_PRICES } from './pricing';
import { falTrainer } from './trainer-spec';

export const zImage = falTrainer('fal-ai/z-image-trainer', 'Z-Image LoRA', 'image', {
  description: 'LoRA training for Z-Image from images with same-named .txt captions, tuned for content, style or both.',
  dataset: captionedImages(10), datasetField: 'image_data_url', loraField: 'diffusers_lora_file',
  params: [
    steps(1000), learningRate(0.0001), defaultCaption,
    choice('trainingType', 'training_type', 'Training focus', ['content', 'style', 'balanced'], 'balanced', 'Content learns what is in the images, style how they look, balanced both.'),
  ],
  price: ASSUMED_PRICES.zImage, duration: ASSUMED_DURATIONS.image,
});
