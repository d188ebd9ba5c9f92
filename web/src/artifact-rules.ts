// What the jobs panel shows of a completed job's files: each one's role in words and its size.
import { jobArtifacts } from '#domain/artifacts';
import type { ArtifactRole, Job } from '#domain/schemas';
import { formatBytes } from './format';

export const ROLE_LABELS: Record<ArtifactRole, string> = {
  lora: 'LoRA',
  'lora-high-noise': 'High-noise LoRA',
  config: 'Training config',
  sample: 'Sample',
  other: 'Other file',
};

export interface FileLine {
  name: string;
  label: string;
  size: string;
}

/** A completed job's files, the main LoRA first, as the panel lists them; nothing before it completes. */
export function fileLines(job: Job): FileLine[] {
  if (job.status !== 'COMPLETED') return [];
  return jobArtifacts(job).map((file) => ({ name: file.name, label: ROLE_LABELS[file.role], size: formatBytes(file.sizeBytes) }));
}
