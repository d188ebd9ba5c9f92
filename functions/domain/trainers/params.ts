// The building blocks the trainer descriptions share: dataset formats, the trigger fields, and parameters that
// several trainers take under the same canonical key. Each parameter names its provider input field explicitly.
import type { DatasetRules } from '#domain/schemas';
import type { ParamSpec, TriggerInput } from './trainer-spec';

export const IMAGE_FORMATS = ['jpg', 'jpeg', 'png', 'webp'];
export const VIDEO_FORMATS = ['mp4', 'mov', 'avi', 'mkv'];

/** Images (or `formats`) with optional same-named .txt captions. */
export const captionedImages = (minImages: number, extra: Partial<DatasetRules> = {}): DatasetRules =>
  ({ minImages, formats: IMAGE_FORMATS, captions: 'optional', ...extra });

export const triggerWord: TriggerInput = { field: 'trigger_word', phrase: 'required' };
export const triggerPhrase: TriggerInput = { field: 'trigger_phrase', phrase: 'required' };

const STEPS_HELP = 'How many training steps to run. More steps learn more detail but take longer and can over-fit.';

export const steps = (defaultSteps: number | undefined, field = 'steps', help = STEPS_HELP): ParamSpec => ({
  key: 'steps', field, label: 'Steps', type: 'integer', ...(defaultSteps === undefined ? {} : { default: defaultSteps }),
  min: 1, max: 10000, step: 1, help, group: 'core',
});

export const learningRate = (defaultRate: number): ParamSpec => ({
  key: 'learningRate', field: 'learning_rate', label: 'Learning rate', type: 'number', default: defaultRate,
  min: 0.000001, max: 0.01, step: 0.000001,
  help: 'How fast the model learns. Higher values train faster but can over-fit or become unstable.', group: 'core',
});

export const flag = (key: string, field: string, label: string, defaultValue: boolean, help: string): ParamSpec => ({
  key, field, label, type: 'boolean', default: defaultValue, help, group: 'model',
});

export const choice = (key: string, field: string, label: string, options: string[], defaultValue: string, help: string): ParamSpec => ({
  key, field, label, type: 'enum', options, default: defaultValue, help, group: 'model',
});

export const text = (key: string, field: string, label: string, help: string): ParamSpec => ({ key, field, label, type: 'string', help, group: 'model' });

export const defaultCaption = text('defaultCaption', 'default_caption', 'Default caption', 'Caption used for images without a .txt caption file. Leave empty to require a caption for every image.');

export const outputLoraFormat = choice('outputLoraFormat', 'output_lora_format', 'Output format', ['fal', 'comfy'], 'fal',
  'Naming scheme of the weights in the LoRA file: fal (diffusers) or ComfyUI.');
