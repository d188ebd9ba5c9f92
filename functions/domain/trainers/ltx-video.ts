// fal's LTX Video LoRA trainer: videos or images, one kind per dataset.
import { VIDEO_FORMATS, captionedImages, choice, flag, learningRate, steps, triggerPhrase } from './params';
import { ASSUMED_DURATIONS, ASSUMED_PRICES } from './pricing';
import { falTrainer } from './trainer-spec';

export const ltxVideo = falTrainer('fal-ai/ltx-video-trainer', 'LTX Video LoRA', 'video', {
  description: 'LoRA training for LTX Video from videos or images (one kind per dataset, not mixed).',
  dataset: captionedImages(10, { formats: ['jpg', 'jpeg', 'png', ...VIDEO_FORMATS] }), datasetField: 'training_data_url', trigger: triggerPhrase, loraField: 'lora_file', otherOutputs: { video: 'sample' },
  params: [
    steps(1000, 'number_of_steps'), learningRate(0.0002),
    choice('rank', 'rank', 'LoRA rank', ['8', '16', '32', '64', '128'], '128', 'Size of the LoRA: a higher rank captures more detail and makes a larger file.'),
    choice('resolution', 'resolution', 'Resolution', ['low', 'medium', 'high'], 'medium', 'Training resolution of the videos.'),
    choice('aspectRatio', 'aspect_ratio', 'Aspect ratio', ['16:9', '1:1', '9:16'], '1:1', 'Aspect ratio of the training videos.'),
    { key: 'frameRate', field: 'frame_rate', label: 'Frame rate', type: 'integer', default: 25, min: 1, max: 60, step: 1, help: 'Target frames per second of the training videos.', group: 'model' },
    { key: 'numberOfFrames', field: 'number_of_frames', label: 'Frames per clip', type: 'integer', default: 81, min: 1, max: 257, step: 1, help: 'Frames used per clip: frame rate times seconds.', group: 'model' },
    flag('autoScaleInput', 'auto_scale_input', 'Auto-scale videos', false, 'Scales videos to the target frame count and frame rate. No effect on image datasets.'),
    flag('splitInputIntoScenes', 'split_input_into_scenes', 'Split long videos', true, 'Splits videos longer than the threshold into scenes; a caption applies to each scene. No effect on image datasets.'),
    {
      key: 'splitInputDurationThreshold', field: 'split_input_duration_threshold', label: 'Split threshold (s)', type: 'number', default: 30, min: 1, max: 600, step: 1,
      help: 'Videos longer than this many seconds are split into scenes.', group: 'model',
    },
  ],
  price: ASSUMED_PRICES.ltxVideo, duration: ASSUMED_DURATIONS.video,
});
