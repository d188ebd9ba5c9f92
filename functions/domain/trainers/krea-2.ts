// fal's Krea 2 LoRA trainer.
import { captionedImages, choice, flag, learningRate, steps, triggerPhrase } from './params';
import { ASSUMED_DURATIONS, ASSUMED_PRICES } from './pricing';
import { falTrainer } from './trainer-spec';

export const krea2 = falTrainer('fal-ai/krea-2-trainer', 'Krea 2 LoRA', 'image', {
  description: 'LoRA training for Krea 2 from PNG, JPG or WebP images; images without a caption file are captioned with the trigger phrase or by auto-captioning.',
  dataset: captionedImages(1), datasetField: 'images_data_url', trigger: triggerPhrase, loraField: 'lora_file', otherOutputs: { debug_dataset: 'other' },
  params: [
    steps(100), learningRate(0.0005),
    choice('autoCaptioning', 'auto_captioning', 'Auto-captioning', ['Off', 'Object/Character', 'Style', 'Custom'], 'Off', 'Captions images that have no .txt file. Off uses the trigger phrase as their caption.'),
    // fal takes the number 768 or 1024, so this is an integer with a step rather than a string choice.
    {
      key: 'resolution', field: 'resolution', label: 'Resolution', type: 'integer', default: 768, min: 768, max: 1024, step: 256,
      help: 'Training resolution: 768 trains faster at nearly the same quality; 1024 keeps more detail.', group: 'model',
    },
    flag('debugDataset', 'debug_dataset', 'Return the dataset used', false, 'Also returns an archive of the exact images and captions trained on.'),
  ],
  price: ASSUMED_PRICES.krea2, duration: ASSUMED_DURATIONS.image,
});
