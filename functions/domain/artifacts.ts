// Where a job's output files are stored and what the job lists of them.
import type { Job, JobArtifact } from './schemas';

/** `loras/{owner}/{jobId}/{fileName}` in the artifacts bucket (owner URI-encoded, as for dataset keys). */
export const artifactKey = (owner: string, jobId: string, fileName: string): string =>
  `loras/${encodeURIComponent(owner)}/${jobId}/${fileName}`;

/** A trainer's file name made safe to store and to name in a URL path: its base name, [\w.-] only. */
export const safeFileName = (name: string | undefined, fallback: string): string => {
  const base = (name ?? '').split(/[/\\]/).pop()?.replace(/[^\w.-]+/g, '_') ?? '';
  return base && base !== '.' && base !== '..' ? base : fallback;
};

/** Names unique within a job: a name already taken gets its output field in front (`high_noise_lora-x`), then a number. */
export function uniqueNames(wanted: readonly { name: string; field: string }[]): string[] {
  const taken = new Set<string>();
  return wanted.map(({ name, field }) => {
    let candidate = name;
    if (taken.has(candidate)) candidate = safeFileName(`${field}-${name}`, name);
    for (let n = 2; taken.has(candidate); n++) candidate = `${n}-${name}`;
    taken.add(candidate);
    return candidate;
  });
}

/** The files of a job; a job completed before every file was kept lists its one LoRA. */
export function jobArtifacts(job: Pick<Job, 'artifact' | 'artifacts'>): JobArtifact[] {
  if (job.artifacts) return job.artifacts;
  if (!job.artifact) return [];
  const { fileName, sizeBytes, sha256 } = job.artifact;
  return [{ name: fileName, role: 'lora', sizeBytes, sha256, contentType: 'application/octet-stream' }];
}

/** LoRA weights (any LoRA role) get the safetensors check and the training facts in their metadata. */
export const isWeights = (role: JobArtifact['role']): boolean => role === 'lora' || role === 'lora-high-noise';
