// fal's Hunyuan Video LoRA trainer. fal requires a step count here and publishes no default, so Loraworks
// sends 1000 unless the user sets it.
import { captionedImages, flag, learningRate, steps, triggerWord } from './params';
import { ASSUMED_DURATIONS, ASSUMED_PRICES } from './pricing';
import { falTrainer } from './trainer-spec';

export const hunyuanVideo = falTrainer('fal-ai/hunyuan-video-lora-training', 'Hunyuan Video LoRA', 'video', {
  description: 'LoRA training for the Hunyuan video model from captioned images.',
  dataset: captionedImages(4), datasetField: 'images_data_url', trigger: triggerWord, loraField: 'diffusers_lora_file',
  params: [steps(1000), learningRate(0.0001), flag('doCaption', 'do_caption', 'Auto-caption images', true, 'Generates captions for images that have no .txt caption file.')],
  price: ASSUMED_PRICES.hunyuanVideo, duration: ASSUMED_DURATIONS.video,
});
