// The Replicate trainer the emulator serves: ostris/flux-dev-lora-trainer, whose train() inputs are those of
// replicate/flux-fine-tuner's train.py, with their ranges. Its one output, `weights`, is a tar of
// output/flux_train_replicate/ holding lora.safetensors.
import type { EmulatedTrainer } from './trainer-schema';

export const REPLICATE_TRAINERS: readonly EmulatedTrainer[] = [{
  id: 'replicate/ostris/flux-dev-lora-trainer', protocol: 'replicate',
  // train.py defaults input_images to None and raises without it; Replicate refuses such a training at create (422).
  dataset: 'input_images', steps: 'steps', defaultSteps: 1000, trigger: 'trigger_word',
  inputs: {
    input_images: { type: 'string', required: true }, trigger_word: { type: 'string' }, autocaption: { type: 'boolean' },
    autocaption_prefix: { type: 'string' }, autocaption_suffix: { type: 'string' },
    steps: { type: 'integer', min: 3, max: 6000 }, learning_rate: { type: 'number' }, batch_size: { type: 'integer' },
    resolution: { type: 'string' }, lora_rank: { type: 'integer', min: 1, max: 128 }, caption_dropout_rate: { type: 'number', min: 0, max: 1 },
    optimizer: { type: ['prodigy', 'adam8bit', 'adamw8bit', 'lion8bit', 'adam', 'adamw', 'lion', 'adagrad', 'adafactor'] },
    cache_latents_to_disk: { type: 'boolean' }, layers_to_optimize_regex: { type: 'string' }, gradient_checkpointing: { type: 'boolean' },
    hf_repo_id: { type: 'string' }, hf_token: { type: 'string' },
    wandb_api_key: { type: 'string' }, wandb_project: { type: 'string' }, wandb_run: { type: 'string' }, wandb_entity: { type: 'string' },
    wandb_sample_interval: { type: 'integer' }, wandb_sample_prompts: { type: 'string' }, wandb_save_interval: { type: 'integer' },
    skip_training_and_use_pretrained_hf_lora_url: { type: 'string' },
  },
  loraOutputs: ['weights'],
}];
