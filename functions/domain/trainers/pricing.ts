// What a run costs and how long it takes, per trainer. A price the provider publishes is written beside the trainer
// it belongs to (its page as the source); every other price is a row of ASSUMED_PRICES below, which says what it is
// taken from and when that was read. Every duration is an assumption: no provider publishes run times, and
// Loraworks has measured none. POST /jobs/estimate applies these (domain/estimates.ts) and says so in its basis.
import type { TrainerDuration, TrainerPrice } from '#domain/schemas';

/** The day the prices below were recorded from their sources. */
const READ_ON = '2026-12-02';

/** `usd` for every `per` steps (fal's usual basis: "$2.40 per 1000-step run, scales per step"). */
export const perSteps = (usd: number, per: number, source: string, assumed = false, asOf = READ_ON): TrainerPrice =>
  ({ unit: 'step', usd, per, source, asOf, assumed });

/** `usd` for a run, whatever its step count. */
export const perRun = (usd: number, source: string, assumed = false, asOf = READ_ON): TrainerPrice =>
  ({ unit: 'run', usd, source, asOf, assumed });

/** `usd` per second of training (Replicate bills the hardware by the second). */
export const perSecond = (usd: number, source: string, assumed = false, asOf = READ_ON): TrainerPrice =>
  ({ unit: 'second', usd, per: 1, source, asOf, assumed });

const FAL_FAST = 'https://fal.ai/models/fal-ai/flux-lora-fast-training';
const FAL_WAN = 'https://fal.ai/models/fal-ai/wan-trainer/llms.txt';
const FAL_QWEN_V2 = 'https://fal.ai/models/fal-ai/qwen-image-trainer-v2/llms.txt';

/**
 * The fallback table: trainers whose provider publishes no price that Loraworks found. Each row is ASSUMED, taken
 * from the published price of the nearest trainer (same base model, or the same kind of model), read on READ_ON.
 */
export const ASSUMED_PRICES = {
  /** FLUX.1 [dev] like flux-lora-fast-training: assumed its "$2 per training run (scales linearly with steps)", the run being fal's default 1,000 steps. */
  fluxPortrait: perSteps(2, 1000, `assumed: no price published for fal-ai/flux-lora-portrait-trainer; taken from flux-lora-fast-training (${FAL_FAST})`, true),
  fluxKontext: perSteps(2, 1000, `assumed: no price published for fal-ai/flux-kontext-trainer; taken from flux-lora-fast-training (${FAL_FAST})`, true),
  /** Video trainers: assumed the Wan 2.1 trainer's "$0.005 per steps". */
  hunyuanVideo: perSteps(0.005, 1, `assumed: no price published for fal-ai/hunyuan-video-lora-training; taken from fal-ai/wan-trainer (${FAL_WAN})`, true),
  ltxVideo: perSteps(0.005, 1, `assumed: no price published for fal-ai/ltx-video-trainer; taken from fal-ai/wan-trainer (${FAL_WAN})`, true),
  wan22Image: perSteps(0.005, 1, `assumed: no price published for fal-ai/wan-22-image-trainer; taken from fal-ai/wan-trainer (${FAL_WAN})`, true),
  /** Qwen-Image: assumed the v2 trainer's "$0.002 per step". */
  qwenImage: perSteps(0.002, 1, `assumed: no price published for fal-ai/qwen-image-trainer; taken from fal-ai/qwen-image-trainer-v2 (${FAL_QWEN_V2})`, true),
  zImage: perSteps(2, 1000, `assumed: no price published for fal-ai/z-image-trainer; taken from flux-lora-fast-training (${FAL_FAST})`, true),
  krea2: perSteps(2, 1000, `assumed: no price published for fal-ai/krea-2-trainer; taken from flux-lora-fast-training (${FAL_FAST})`, true),
  /** A trainer fal lists that Loraworks has no description of. */
  generic: perSteps(2, 1000, `assumed: a fal trainer Loraworks has no price for; taken from flux-lora-fast-training (${FAL_FAST})`, true),
} satisfies Record<string, TrainerPrice>;

const assumedTime = (secondsPerStep: number, setupSeconds: number, note: string): TrainerDuration =>
  ({ secondsPerStep, setupSeconds, source: `assumed (not measured): ${note}` });

/** Every duration model, all assumed. */
export const ASSUMED_DURATIONS = {
  flux1: assumedTime(0.45, 60, 'FLUX.1 [dev] LoRA on one fal GPU, about 8 minutes for 1,000 steps'),
  turboFlux: assumedTime(0.3, 60, 'fal\'s Turbo FLUX trainer, quicker than FLUX.1 [dev] LoRA'),
  flux2: assumedTime(0.9, 90, 'FLUX.2 [dev] is a larger model than FLUX.1 [dev]'),
  image: assumedTime(0.6, 60, 'an image LoRA of a model the size of Qwen-Image, Z-Image or Krea 2'),
  video: assumedTime(1.5, 120, 'a video LoRA, slower per step than an image LoRA'),
  /** Replicate's flux-dev-lora-trainer: "about 20 to 30 minutes" for 1,000 steps per a public guide (github.com/Orangeriger1998/OTStudio wiki, read on READ_ON). */
  replicateFlux: assumedTime(1.5, 120, 'Replicate\'s FLUX.1 [dev] trainer on an H100, about 27 minutes for 1,000 steps'),
} satisfies Record<string, TrainerDuration>;
