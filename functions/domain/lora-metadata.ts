// The training facts Loraworks writes into every stored LoRA's safetensors `__metadata__`, so the file
// itself says how it was made, and the header rewrite that puts them there. Only the JSON header changes:
// tensor offsets are relative to the data section, so the tensor bytes after it are copied unchanged.
import type { JobRecord } from './job-lifecycle';
import { MalformedSafetensors, readHeaderLength } from './safetensors';

export interface TrainingFacts {
  jobId: string;
  trainerId: string;
  triggerPhrase: string;
  steps?: number | string | boolean;
  learningRate?: number | string | boolean;
  datasetId: string;
  datasetVersion: number;
  datasetSha256?: string;
}

export const trainingFacts = (job: JobRecord, datasetSha256?: string): TrainingFacts => ({
  jobId: job.id,
  trainerId: job.trainerId,
  triggerPhrase: job.triggerPhrase,
  ...(job.params.steps === undefined ? {} : { steps: job.params.steps }),
  ...(job.params.learningRate === undefined ? {} : { learningRate: job.params.learningRate }),
  datasetId: job.datasetId,
  datasetVersion: job.datasetVersion,
  ...(datasetSha256 ? { datasetSha256 } : {}),
});

/** safetensors metadata values are strings. `modelspec.trigger_phrase` is the key generators already read. */
export function metadataOf(facts: TrainingFacts): Record<string, string> {
  const entries: [string, unknown][] = [
    ['loraworks.job_id', facts.jobId],
    ['loraworks.trainer', facts.trainerId],
    ['loraworks.trigger_phrase', facts.triggerPhrase],
    ['modelspec.trigger_phrase', facts.triggerPhrase],
    ['loraworks.steps', facts.steps],
    ['loraworks.learning_rate', facts.learningRate],
    ['loraworks.dataset_id', facts.datasetId],
    ['loraworks.dataset_version', facts.datasetVersion],
    ['loraworks.dataset_sha256', facts.datasetSha256],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined).map(([key, value]) => [key, String(value)]));
}

/**
 * Takes a file's first 8 + headerLength bytes and returns them with `metadata` merged into `__metadata__`
 * (ours win over the trainer's keys), re-padded with spaces so the data section stays 8-byte aligned.
 */
export function rewriteHeader(head: Uint8Array, metadata: Record<string, string>): Uint8Array {
  const length = readHeaderLength(head);
  if (head.byteLength < 8 + length) throw new MalformedSafetensors(`Need the first ${8 + length} bytes to rewrite the header; got ${head.byteLength}.`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(8, 8 + length))) as Record<string, unknown>;
  } catch (error) {
    throw new MalformedSafetensors(`The safetensors header is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new MalformedSafetensors('The safetensors header must be a JSON object.');
  const existing = header.__metadata__;
  const kept = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? existing : {};
  // __metadata__ first, as the reference writer puts it.
  const { __metadata__: _old, ...tensors } = header;
  const json = new TextEncoder().encode(JSON.stringify({ __metadata__: { ...kept, ...metadata }, ...tensors }));
  const padded = json.byteLength + ((8 - (json.byteLength % 8)) % 8);
  const out = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}
