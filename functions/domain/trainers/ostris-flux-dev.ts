// Ostris's AI Toolkit FLUX.1 [dev] LoRA trainer on Replicate. Values come from replicate/flux-fine-tuner's train.py:
// its weights are a tar of output/flux_train_replicate/ holding lora.safetensors.
import { captionedImages, choice, flag, learningRate, steps, text, triggerWord } from './params';
import { ASSUMED_DURATIONS, perSecond } from './pricing';
import type { ReplicateTrainerSpec } from './trainer-spec';

export const ostrisFluxDev: ReplicateTrainerSpec = {
  id: 'replicate/ostris/flux-dev-lora-trainer', provider: 'replicate', name: 'FLUX.1 [dev] LoRA (Replicate)', kind: 'image', outputFormat: 'safetensors',
  description: 'Ostris\'s AI Toolkit FLUX.1 [dev] LoRA trainer on Replicate. Images without captions are auto-captioned unless that is turned off.',
  dataset: captionedImages(10),
  datasetField: 'input_images', trigger: triggerWord, archive: { format: 'tar', member: 'lora.safetensors' },
  params: [
    { ...steps(1000, 'steps', 'How many training steps to run (500 to 4000 is the usual range). More steps learn more detail but take longer and can over-fit.'), min: 3, max: 6000 },
    learningRate(0.0004),
    { key: 'rank', field: 'lora_rank', label: 'LoRA rank', type: 'integer', default: 16, min: 1, max: 128, step: 1, help: 'Size of the LoRA: a higher rank captures more detail and makes a larger file.', group: 'model' },
    { key: 'batchSize', field: 'batch_size', label: 'Batch size', type: 'integer', default: 1, min: 1, max: 8, step: 1, help: 'Images per training step.', group: 'model' },
    { key: 'resolution', field: 'resolution', label: 'Resolutions', type: 'string', default: '512,768,1024', help: 'Comma-separated training resolutions; images are bucketed to these sizes.', group: 'model' },
    flag('autoCaption', 'autocaption', 'Auto-caption images', true, 'Captions images that have no .txt caption file with a vision model (synthetic captions).'),
    text('autoCaptionPrefix', 'autocaption_prefix', 'Caption prefix', 'Text put before every automatic caption, e.g. "a photo of TOK,".'),
    text('autoCaptionSuffix', 'autocaption_suffix', 'Caption suffix', 'Text put after every automatic caption, e.g. "in the style of TOK".'),
    {
      key: 'captionDropoutRate', field: 'caption_dropout_rate', label: 'Caption dropout', type: 'number', default: 0.05, min: 0, max: 1, step: 0.01,
      help: 'Share of steps trained without the caption, so the LoRA also works with short prompts.', group: 'model',
    },
    choice('optimizer', 'optimizer', 'Optimizer', ['adamw8bit', 'prodigy', 'adam8bit', 'lion8bit', 'adam', 'adamw', 'lion', 'adagrad', 'adafactor'], 'adamw8bit',
      'The training optimizer. Keep adamw8bit unless you know you need another.'),
    flag('cacheLatentsToDisk', 'cache_latents_to_disk', 'Cache latents on disk', false, 'Uses less memory for large datasets, at some speed.'),
    flag('gradientCheckpointing', 'gradient_checkpointing', 'Gradient checkpointing', false, 'Saves memory at the cost of speed; the trainer turns it on by itself when it must.'),
  ],
  // Replicate bills by the second: Nvidia H100 "$0.001525/sec", and "Flux fine-tunes run on H100s".
  price: perSecond(0.001525, 'https://replicate.com/pricing'), duration: ASSUMED_DURATIONS.replicateFlux,
};
