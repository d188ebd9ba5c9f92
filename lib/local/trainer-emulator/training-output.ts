// What a finished training leaves, per protocol: fal's result names each LoRA file, config_file and any other file
// of the trainer's Output schema (a preprocessed dataset, a validation video) in its own output field; Replicate's `weights` is a tar of output/flux_train_replicate/, as replicate/flux-fine-tuner's
// train.py makes it with `tar -cvf trained_model.tar output/flux_train_replicate/`.
import type { EmulatorFaults } from './faults';
import { fileSize, tarFile, type FilePart, type StoredFile } from './files';
import { buildEmulatedLora, buildLargeEmulatedLora } from './lora';
import type { EmulatedRequest } from './request';
import type { EmulatedTrainer } from './trainer-schema';

export interface TrainingOutput {
  files: StoredFile[];
  /** Output field → name of the file it points at. */
  outputFiles: Record<string, string>;
  /** Size of the LoRA file (Replicate: of the archive). */
  outputBytes: number;
}

/** The file names fal gives its LoRA output fields. */
const FAL_LORA_NAMES: Record<string, string> = {
  diffusers_lora_file: 'pytorch_lora_weights.safetensors',
  lora_file: 'lora.safetensors',
  high_noise_lora: 'high_noise_lora.safetensors',
};

/** An empty zip (its end-of-central-directory record alone) for an archive; a few bytes naming the trainer otherwise. */
function extraBytes(contentType: string, endpoint: string): Uint8Array {
  if (contentType === 'application/zip') return Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
  return new TextEncoder().encode(`emulated output of ${endpoint}\n`);
}

export function trainingOutput(trainer: EmulatedTrainer, request: EmulatedRequest, faults: EmulatorFaults): TrainingOutput {
  const { requestId, endpoint, input, totalSteps } = request;
  const trigger = trainer.trigger ? input[trainer.trigger] : undefined;
  const spec = { requestId, endpoint, steps: totalSteps, ...(typeof trigger === 'string' ? { triggerPhrase: trigger } : {}) };
  const lora: FilePart[] = faults.loraMegabytes ? buildLargeEmulatedLora(spec, faults.loraMegabytes) : [buildEmulatedLora(spec)];
  const config = new TextEncoder().encode(JSON.stringify({ trainer: endpoint, steps: totalSteps, input }, null, 2));
  if (trainer.protocol === 'replicate') {
    const archive = tarFile('trained_model.tar', [
      { path: 'output/flux_train_replicate/config.yaml', parts: [config] },
      { path: 'output/flux_train_replicate/lora.safetensors', parts: lora },
    ]);
    return { files: [archive], outputFiles: { weights: archive.name }, outputBytes: fileSize(archive) };
  }
  const loras = trainer.loraOutputs.map((field): [string, StoredFile] => {
    const name = FAL_LORA_NAMES[field] ?? `${field}.safetensors`;
    return [field, { name, contentType: 'application/octet-stream', parts: lora }];
  });
  const extras = (trainer.extraOutputs ?? []).filter((extra) => !extra.onlyWith || input[extra.onlyWith] === true)
    .map((extra): [string, StoredFile] => [extra.field, { name: extra.name, contentType: extra.contentType, parts: [extraBytes(extra.contentType, endpoint)] }]);
  const files = [...loras.map(([, file]) => file), { name: 'config.json', contentType: 'application/json', parts: [config] }, ...extras.map(([, file]) => file)];
  return {
    files,
    outputFiles: {
      ...Object.fromEntries(loras.map(([field, file]) => [field, file.name])), config_file: 'config.json',
      ...Object.fromEntries(extras.map(([field, file]) => [field, file.name])),
    },
    outputBytes: fileSize(loras[0]![1]),
  };
}
