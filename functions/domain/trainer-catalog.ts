// Built-in entries for the known fal trainers and Replicate's FLUX LoRA trainer: they serve when the provider's listing cannot be reached and
// supply the parameters and dataset rules the listing does not carry. Values come from fal's own input
// schemas (shared/reference/fal-trainer-schemas.md; Replicate's from replicate/flux-fine-tuner train.py, trainer-providers.md §2.8). Those schemas omit `false` defaults (no boolean in them
// has one), so a boolean listed there without a default defaults to false here.
import type { ParamValues, Trainer, TrainerParam } from './schemas';

const IMAGE_FORMATS = ['jpg', 'jpeg', 'png', 'webp'];
const VIDEO_FORMATS = ['mp4', 'mov', 'avi', 'mkv'];

const steps = (defaultSteps: number | undefined, help = 'How many training steps to run. More steps learn more detail but take longer and can over-fit.'): TrainerParam => ({
  key: 'steps', label: 'Steps', type: 'integer', ...(defaultSteps === undefined ? {} : { default: defaultSteps }),
  min: 1, max: 10000, step: 1, help, group: 'core',
});

const learningRate = (defaultRate: number): TrainerParam => ({
  key: 'learningRate', label: 'Learning rate', type: 'number', default: defaultRate,
  min: 0.000001, max: 0.01, step: 0.000001,
  help: 'How fast the model learns. Higher values train faster but can over-fit or become unstable.', group: 'core',
});

const flag = (key: string, label: string, defaultValue: boolean, help: string): TrainerParam => ({
  key, label, type: 'boolean', default: defaultValue, help, group: 'model',
});

const choice = (key: string, label: string, options: string[], defaultValue: string, help: string): TrainerParam => ({
  key, label, type: 'enum', options, default: defaultValue, help, group: 'model',
});

const text = (key: string, label: string, help: string): TrainerParam => ({ key, label, type: 'string', help, group: 'model' });

const defaultCaption = text('defaultCaption', 'Default caption', 'Caption used for images without a .txt caption file. Leave empty to require a caption for every image.');
const isStyle = flag('isStyle', 'Train a style', false, 'Turn on when the images share a style rather than a subject: segmentation and captioning are skipped and the trigger phrase names the style.');

const createMasks = flag('createMasks', 'Create masks', true, 'Weights the training loss with segmentation masks (a face mask for people) so the background is learned less.');
const preprocessed = flag('isInputFormatAlreadyPreprocessed', 'Dataset already preprocessed', false, 'Turn on only if the archive is already in fal\'s preprocessed layout instead of image files with same-named .txt captions.');

export const fallbackTrainers: Trainer[] = [
  {
    id: 'fal-ai/flux-lora-fast-training', provider: 'fal', name: 'FLUX.1 [dev] LoRA (fast)', kind: 'image',
    description: 'Fast LoRA training for FLUX.1 [dev] on a subject, object or style from a few captioned images.',
    outputFormat: 'safetensors',
    dataset: { minImages: 4, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [
      steps(1000),
      createMasks,
      isStyle,
      preprocessed,
    ],
  },
  {
    id: 'fal-ai/flux-lora-portrait-trainer', provider: 'fal', name: 'FLUX.1 [dev] portrait LoRA', kind: 'image',
    description: 'FLUX.1 [dev] LoRA training tuned for portraits of one person. Captions may contain [trigger], which is replaced by the trigger phrase.',
    outputFormat: 'safetensors',
    dataset: { minImages: 10, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [
      steps(2500),
      learningRate(0.00009),
      flag('multiresolutionTraining', 'Multi-resolution training', true, 'Trains at several resolutions so the LoRA works at different output sizes.'),
      flag('subjectCrop', 'Crop to subject', true, 'Crops each image around the subject before training.'),
      flag('createMasks', 'Create masks', false, 'Creates masks for the subject so the background is learned less.'),
    ],
  },
  {
    id: 'fal-ai/flux-kontext-trainer', provider: 'fal', name: 'FLUX.1 Kontext [dev] edit LoRA', kind: 'image',
    description: 'Teaches FLUX.1 Kontext an image edit from before/after pairs named ROOT_start.EXT and ROOT_end.EXT, with an optional ROOT.txt holding the edit instruction.',
    outputFormat: 'safetensors',
    dataset: { minImages: 2, formats: IMAGE_FORMATS, captions: 'optional', layout: 'start-end' },
    params: [
      steps(1000),
      learningRate(0.0001),
      defaultCaption,
      choice('outputLoraFormat', 'Output format', ['fal', 'comfy'], 'fal', 'Naming scheme of the weights in the LoRA file: fal (diffusers) or ComfyUI.'),
    ],
  },
  {
    id: 'fal-ai/turbo-flux-trainer', provider: 'fal', name: 'Turbo FLUX LoRA', kind: 'image',
    description: 'Quick FLUX LoRA training for a subject or a style.',
    outputFormat: 'safetensors',
    dataset: { minImages: 10, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [
      steps(1000),
      learningRate(0.00115),
      choice('trainingStyle', 'Training style', ['subject', 'style'], 'subject', 'Subject learns a person or object; style learns the look shared by the images.'),
      flag('faceCrop', 'Crop to face', true, 'Detects the face in each image and crops around it.'),
    ],
  },
  {
    id: 'fal-ai/wan-trainer', provider: 'fal', name: 'Wan 2.1 video LoRA', kind: 'video',
    description: 'LoRA training for the Wan 2.1 video model from images and/or short videos with a consistent subject or style.',
    outputFormat: 'safetensors',
    dataset: { minImages: 10, formats: [...IMAGE_FORMATS, ...VIDEO_FORMATS], captions: 'optional' },
    params: [
      steps(400),
      learningRate(0.0002),
      flag('autoScaleInput', 'Auto-scale videos', false, 'Rescales every video to 81 frames at 16 fps before training.'),
    ],
  },
  {
    id: 'fal-ai/hunyuan-video-lora-training', provider: 'fal', name: 'Hunyuan Video LoRA', kind: 'video',
    description: 'LoRA training for the Hunyuan video model from captioned images.',
    outputFormat: 'safetensors',
    dataset: { minImages: 4, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [
      // fal requires steps here and publishes no default; Loraworks sends this one unless the user sets it.
      steps(1000),
      learningRate(0.0001),
      flag('doCaption', 'Auto-caption images', true, 'Generates captions for images that have no .txt caption file.'),
    ],
  },
  {
    id: 'fal-ai/ltx-video-trainer', provider: 'fal', name: 'LTX Video LoRA', kind: 'video',
    description: 'LoRA training for LTX Video from videos or images (one kind per dataset, not mixed).',
    outputFormat: 'safetensors',
    dataset: { minImages: 10, formats: ['jpg', 'jpeg', 'png', ...VIDEO_FORMATS], captions: 'optional' },
    params: [
      steps(1000),
      learningRate(0.0002),
      choice('rank', 'LoRA rank', ['8', '16', '32', '64', '128'], '128', 'Size of the LoRA: a higher rank captures more detail and makes a larger file.'),
      choice('resolution', 'Resolution', ['low', 'medium', 'high'], 'medium', 'Training resolution of the videos.'),
      choice('aspectRatio', 'Aspect ratio', ['16:9', '1:1', '9:16'], '1:1', 'Aspect ratio of the training videos.'),
      { key: 'frameRate', label: 'Frame rate', type: 'integer', default: 25, min: 1, max: 60, step: 1, help: 'Target frames per second of the training videos.', group: 'model' },
      { key: 'numberOfFrames', label: 'Frames per clip', type: 'integer', default: 81, min: 1, max: 257, step: 1, help: 'Frames used per clip: frame rate times seconds.', group: 'model' },
      flag('autoScaleInput', 'Auto-scale videos', false, 'Scales videos to the target frame count and frame rate. No effect on image datasets.'),
      flag('splitInputIntoScenes', 'Split long videos', true, 'Splits videos longer than the threshold into scenes; a caption applies to each scene. No effect on image datasets.'),
      { key: 'splitInputDurationThreshold', label: 'Split threshold (s)', type: 'number', default: 30, min: 1, max: 600, step: 1, help: 'Videos longer than this many seconds are split into scenes.', group: 'model' },
    ],
  },
  {
    id: 'fal-ai/qwen-image-trainer', provider: 'fal', name: 'Qwen-Image LoRA', kind: 'image',
    description: 'LoRA training for Qwen-Image from images with same-named .txt captions; the trigger phrase captions images that have none.',
    outputFormat: 'safetensors',
    dataset: { minImages: 10, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [steps(1000), learningRate(0.0005)],
  },
  {
    id: 'fal-ai/flux-krea-trainer', provider: 'fal', name: 'FLUX.1 Krea [dev] LoRA', kind: 'image',
    description: 'LoRA training for FLUX.1 Krea [dev] on a subject, object or style from a few captioned images.',
    outputFormat: 'safetensors',
    dataset: { minImages: 4, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [
      // fal publishes no default step count for this trainer; Loraworks sends this one unless the user sets it.
      steps(1000),
      createMasks,
      isStyle,
      preprocessed,
    ],
  },
  {
    id: 'fal-ai/flux-2-trainer', provider: 'fal', name: 'FLUX.2 [dev] LoRA', kind: 'image',
    description: 'LoRA training for FLUX.2 [dev] from images with same-named .txt captions.',
    outputFormat: 'safetensors',
    dataset: { minImages: 10, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [
      steps(1000),
      learningRate(0.00005),
      defaultCaption,
      choice('outputLoraFormat', 'Output format', ['fal', 'comfy'], 'fal', 'Naming scheme of the weights in the LoRA file: fal (diffusers) or ComfyUI.'),
    ],
  },
  {
    id: 'fal-ai/wan-22-image-trainer', provider: 'fal', name: 'Wan 2.2 image LoRA', kind: 'image',
    description: 'LoRA training for Wan 2.2 text-to-image from images of a person, object or style. The trigger phrase is required.',
    outputFormat: 'safetensors',
    dataset: { minImages: 10, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [
      steps(1000),
      learningRate(0.0007),
      flag('isStyle', 'Train a style', false, 'Turn on when the images share a style: masks, face detection and face cropping are turned off.'),
      flag('useMasks', 'Use masks', true, 'Weights the training loss with subject masks so the background is learned less.'),
      flag('useFaceDetection', 'Center on faces', true, 'Centers each image on the detected face when resizing.'),
      flag('useFaceCropping', 'Crop to faces', false, 'Crops each image to the detected face before resizing.'),
      flag('includeSyntheticCaptions', 'Add synthetic captions', false, 'Generates extra captions for the images and trains on them too.'),
    ],
  },
  {
    id: 'fal-ai/z-image-trainer', provider: 'fal', name: 'Z-Image LoRA', kind: 'image',
    description: 'LoRA training for Z-Image from images with same-named .txt captions, tuned for content, style or both.',
    outputFormat: 'safetensors',
    dataset: { minImages: 10, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [
      steps(1000),
      learningRate(0.0001),
      defaultCaption,
      choice('trainingType', 'Training focus', ['content', 'style', 'balanced'], 'balanced', 'Content learns what is in the images, style how they look, balanced both.'),
    ],
  },
  {
    id: 'fal-ai/krea-2-trainer', provider: 'fal', name: 'Krea 2 LoRA', kind: 'image',
    description: 'LoRA training for Krea 2 from PNG, JPG or WebP images; images without a caption file are captioned with the trigger phrase or by auto-captioning.',
    outputFormat: 'safetensors',
    dataset: { minImages: 1, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [
      steps(100),
      learningRate(0.0005),
      choice('autoCaptioning', 'Auto-captioning', ['Off', 'Object/Character', 'Style', 'Custom'], 'Off', 'Captions images that have no .txt file. Off uses the trigger phrase as their caption.'),
      // fal takes the number 768 or 1024, so this is an integer with a step rather than a string choice.
      { key: 'resolution', label: 'Resolution', type: 'integer', default: 768, min: 768, max: 1024, step: 256, help: 'Training resolution: 768 trains faster at nearly the same quality; 1024 keeps more detail.', group: 'model' },
      flag('debugDataset', 'Return the dataset used', false, 'Also returns an archive of the exact images and captions trained on.'),
    ],
  },
  {
    id: 'replicate/ostris/flux-dev-lora-trainer', provider: 'replicate', name: 'FLUX.1 [dev] LoRA (Replicate)', kind: 'image',
    description: 'Ostris\'s AI Toolkit FLUX.1 [dev] LoRA trainer on Replicate. Images without captions are auto-captioned unless that is turned off.',
    outputFormat: 'safetensors',
    dataset: { minImages: 10, formats: IMAGE_FORMATS, captions: 'optional' },
    params: [
      { ...steps(1000, 'How many training steps to run (500 to 4000 is the usual range). More steps learn more detail but take longer and can over-fit.'), min: 3, max: 6000 },
      learningRate(0.0004),
      { key: 'rank', label: 'LoRA rank', type: 'integer', default: 16, min: 1, max: 128, step: 1, help: 'Size of the LoRA: a higher rank captures more detail and makes a larger file.', group: 'model' },
      { key: 'batchSize', label: 'Batch size', type: 'integer', default: 1, min: 1, max: 8, step: 1, help: 'Images per training step.', group: 'model' },
      { key: 'resolution', label: 'Resolutions', type: 'string', default: '512,768,1024', help: 'Comma-separated training resolutions; images are bucketed to these sizes.', group: 'model' },
      flag('autoCaption', 'Auto-caption images', true, 'Captions images that have no .txt caption file with a vision model (synthetic captions).'),
      text('autoCaptionPrefix', 'Caption prefix', 'Text put before every automatic caption, e.g. "a photo of TOK,".'),
      text('autoCaptionSuffix', 'Caption suffix', 'Text put after every automatic caption, e.g. "in the style of TOK".'),
      { key: 'captionDropoutRate', label: 'Caption dropout', type: 'number', default: 0.05, min: 0, max: 1, step: 0.01, help: 'Share of steps trained without the caption, so the LoRA also works with short prompts.', group: 'model' },
      choice('optimizer', 'Optimizer', ['adamw8bit', 'prodigy', 'adam8bit', 'lion8bit', 'adam', 'adamw', 'lion', 'adagrad', 'adafactor'], 'adamw8bit', 'The training optimizer. Keep adamw8bit unless you know you need another.'),
      flag('cacheLatentsToDisk', 'Cache latents on disk', false, 'Uses less memory for large datasets, at some speed.'),
      flag('gradientCheckpointing', 'Gradient checkpointing', false, 'Saves memory at the cost of speed; the trainer turns it on by itself when it must.'),
    ],
  },
];

/** The entry served for a training model the provider lists but Loraworks has no built-in entry for. */
export function genericTrainer(id: string, name?: string, description?: string): Trainer {
  const kind = /video|wan|ltx|hunyuan/i.test(`${id} ${name ?? ''}`) ? 'video' : 'image';
  return {
    id, provider: 'fal', name: name || id, kind,
    description: description || `fal trainer ${id}.`,
    outputFormat: 'safetensors',
    dataset: { minImages: 1, formats: kind === 'video' ? [...IMAGE_FORMATS, ...VIDEO_FORMATS] : IMAGE_FORMATS, captions: 'optional' },
    params: [steps(undefined, 'How many training steps to run. Leave empty to use the trainer\'s own default.')],
  };
}

export function findTrainer(trainers: readonly Trainer[], id: string): Trainer | undefined {
  return trainers.find((trainer) => trainer.id === id);
}

export interface ParamProblem {
  field: string;
  message: string;
}

/** Checks a job's parameters against the trainer entry and fills in defaults for everything not given. */
export function validateParams(trainer: Trainer, params: Record<string, unknown>): { values: ParamValues } | { details: ParamProblem[] } {
  const details: ParamProblem[] = [];
  const values: ParamValues = {};
  const known = new Map(trainer.params.map((param) => [param.key, param]));
  for (const key of Object.keys(params)) {
    if (!known.has(key)) {
      const keys = trainer.params.map((param) => param.key).join(', ') || 'none';
      details.push({ field: `params.${key}`, message: `${trainer.name} has no parameter "${key}". Known parameters: ${keys}.` });
    }
  }
  for (const param of trainer.params) {
    const given = params[param.key];
    if (given === undefined || given === null) {
      if (param.default !== undefined) values[param.key] = param.default;
      else if (param.required) details.push({ field: `params.${param.key}`, message: `${param.label} is required for ${trainer.name}.` });
      continue;
    }
    const problem = checkValue(param, given);
    if (problem) details.push({ field: `params.${param.key}`, message: problem });
    else values[param.key] = given as number | boolean | string;
  }
  return details.length > 0 ? { details } : { values };
}

function checkValue(param: TrainerParam, value: unknown): string | undefined {
  switch (param.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${param.label} must be true or false.`;
    case 'string':
      return typeof value === 'string' ? undefined : `${param.label} must be text.`;
    case 'enum':
      if (typeof value === 'string' && param.options?.includes(value)) return undefined;
      return `${param.label} must be one of ${(param.options ?? []).join(', ')}; got ${JSON.stringify(value)}.`;
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${param.label} must be a number.`;
      if (param.type === 'integer' && !Number.isInteger(value)) return `${param.label} must be a whole number; got ${value}.`;
      if (param.min !== undefined && value < param.min) return `${param.label} must be at least ${param.min}; got ${value}.`;
      if (param.max !== undefined && value > param.max) return `${param.label} must be at most ${param.max}; got ${value}.`;
      return undefined;
    }
  }
}
