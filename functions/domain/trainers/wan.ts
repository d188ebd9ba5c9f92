// fal's Wan trainers: the Wan 2.1 video LoRA and the Wan 2.2 text-to-image LoRA.
import { IMAGE_FORMATS, VIDEO_FORMATS, captionedImages, flag, learningRate, steps, triggerPhrase } from './params';
import { ASSUMED_DURATIONS, ASSUMED_PRICES, perSteps } from './pricing';
import { falTrainer } from './trainer-spec';

export const wan21 = falTrainer('fal-ai/wan-trainer', 'Wan 2.1 video LoRA', 'video', {
  description: 'LoRA training for the Wan 2.1 video model from images and/or short videos with a consistent subject or style.',
  dataset: captionedImages(10, { formats: [...IMAGE_FORMATS, ...VIDEO_FORMATS] }), datasetField: 'training_data_url', trigger: triggerPhrase, loraField: 'lora_file',
  params: [steps(400, 'number_of_steps'), learningRate(0.0002), flag('autoScaleInput', 'auto_scale_input', 'Auto-scale videos', false, 'Rescales every video to 81 frames at 16 fps before training.')],
  // fal: "$0.005 per steps".
  price: perSteps(0.005, 1, 'https://fal.ai/models/fal-ai/wan-trainer/llms.txt'), duration: ASSUMED_DURATIONS.video,
});

export const wan22Image = falTrainer('fal-ai/wan-22-image-trainer', 'Wan 2.2 image LoRA', 'image', {
  description: 'LoRA training for Wan 2.2 text-to-image from images of a person, object or style. The trigger phrase is required.',
  dataset: captionedImages(10), datasetField: 'training_data_url', trigger: triggerPhrase, loraField: 'diffusers_lora_file',
  otherOutputs: { high_noise_lora: 'lora-high-noise' },
  params: [
    steps(1000), learningRate(0.0007),
    flag('isStyle', 'is_style', 'Train a style', false, 'Turn on when the images share a style: masks, face detection and face cropping are turned off.'),
    flag('useMasks', 'use_masks', 'Use masks', true, 'Weights the training loss with subject masks so the background is learned less.'),
    flag('useFaceDetection', 'use_face_detection', 'Center on faces', true, 'Centers each image on the detected face when resizing.'),
    flag('useFaceCropping', 'use_face_cropping', 'Crop to faces', false, 'Crops each image to the detected face before resizing.'),
    flag('includeSyntheticCaptions', 'include_synthetic_captions', 'Add synthetic captions', false, 'Generates extra captions for the images and trains on them too.'),
  ],
  price: ASSUMED_PRICES.wan22Image, duration: ASSUMED_DURATIONS.image,
});
