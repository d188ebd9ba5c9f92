// Registering a trained LoRA (an "adapter" in the API): only a completed job's stored file can be registered, and
// the record keeps what a generator needs to use it (trigger phrase, trainer, the file).
import { Conflict } from './errors';
import type { JobRecord } from './job-lifecycle';
import type { Adapter, AdapterArtifact, Artifact } from './schemas';

const LORA_ROLES = new Set(['lora', 'lora-high-noise']);

/** The LoRA files of a job (a Wan 2.2 job has two), the main one first; a job from before `artifacts` has its one file. */
export function loraFilesOf(job: Pick<JobRecord, 'artifact' | 'artifacts'>): AdapterArtifact[] {
  const files = (job.artifacts ?? []).filter((file) => LORA_ROLES.has(file.role))
    .map(({ name, role, sizeBytes, sha256 }) => ({ name, role, sizeBytes, sha256 }));
  if (files.length > 0 || !job.artifact) return files;
  return [{ name: job.artifact.fileName, role: 'lora', sizeBytes: job.artifact.sizeBytes, sha256: job.artifact.sha256 }];
}

/** The adapter's files as stored: records written before `artifacts` hold only `artifact`. */
export function adapterFiles(adapter: { artifact?: Artifact; artifacts?: AdapterArtifact[] }): AdapterArtifact[] {
  if (adapter.artifacts?.length) return adapter.artifacts;
  const main = adapter.artifact;
  return main ? [{ name: main.fileName, role: 'lora', sizeBytes: main.sizeBytes, sha256: main.sha256 }] : [];
}

export function registerLora(job: JobRecord, name: string, id: string, at: Date, source: Adapter['source'] = 'job'): Adapter {
  if (job.status !== 'COMPLETED' || !job.artifact) {
    throw new Conflict('JOB_NOT_COMPLETED', `Job ${job.id} is ${job.status.toLowerCase()}; only a completed job's LoRA can be registered.`);
  }
  return {
    id,
    name,
    source,
    jobId: job.id,
    trainerId: job.trainerId,
    triggerPhrase: job.triggerPhrase,
    artifacts: loraFilesOf(job),
    artifact: job.artifact,
    createdAt: at.toISOString(),
  };
}

/** The refusal of a second registration of a job: it names the registration that already holds the job. */
export const alreadyRegistered = (jobId: string, existing: { id: string; name: string }): Conflict =>
  new Conflict(
    'JOB_ALREADY_REGISTERED',
    `Job ${jobId} is already registered as the LoRA "${existing.name}" (adapter ${existing.id}); use that one, or delete it before registering the job again.`,
  );
