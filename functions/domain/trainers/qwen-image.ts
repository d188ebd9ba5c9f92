// fal's Qwen-Image LoRA trainer.
import { captionedImages, learningRate, steps, triggerPhrase } from './params';
import { ASSUMED_DURATIONS, ASSUMED_PRICES } from './pricing';
import { falTrainer } from './trainer-spec';

export const qwenImage = falTrainer('fal-ai/qwen-image-trainer', 'Qwen-Image LoRA', 'image', {
  description: 'LoRA training for Qwen-Image from images with same-named .txt captions; the trigger phrase captions images that have none.',
  dataset: captionedImages(10), datasetField: 'image_data_url', trigger: triggerPhrase, loraField: 'lora_file',
  params: [steps(1000), learningRate(0.0005)],
  price: ASSUMED_PRICES.qwenImage, duration: ASSUMED_DURATIONS.image,
});
