// Short-lived download links for a completed job's files: its LoRA, or any file it lists by name.
import { artifactKey, jobArtifacts } from '#domain/artifacts';
import { Conflict, NotFound } from '#domain/errors';
import type { ArtifactLink } from '#domain/schemas';
import { presignDownload } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { ownedJob } from './get-job';

const LINK_SECONDS = 15 * 60;

async function completedJob(owner: string, jobId: string) {
  const job = await ownedJob(owner, jobId);
  if (job.status !== 'COMPLETED' || !job.artifact) {
    throw new Conflict('JOB_NOT_COMPLETED', `Job ${job.id} is ${job.status.toLowerCase()}; its files can be downloaded once it has completed.`);
  }
  return job;
}

async function link(owner: string, jobId: string, file: { fileName: string; sizeBytes: number; sha256: string }, now: Date): Promise<ArtifactLink> {
  const url = await presignDownload(config.artifactsBucket, artifactKey(owner, jobId, file.fileName), LINK_SECONDS, file.fileName);
  return { url, fileName: file.fileName, sizeBytes: file.sizeBytes, sha256: file.sha256, expiresAt: new Date(now.getTime() + LINK_SECONDS * 1000).toISOString() };
}

export async function artifactLink(owner: string, jobId: string, now: Date): Promise<ArtifactLink> {
  const job = await completedJob(owner, jobId);
  return link(owner, job.id, job.artifact!, now);
}

export async function jobArtifactLink(owner: string, jobId: string, name: string, now: Date): Promise<ArtifactLink> {
  const job = await completedJob(owner, jobId);
  const files = jobArtifacts(job);
  const file = files.find((candidate) => candidate.name === name);
  if (!file) {
    throw new NotFound('ARTIFACT_NOT_FOUND', `Job ${job.id} has no file named ${JSON.stringify(name)}; its files are ${files.map((f) => f.name).join(', ')}.`);
  }
  return link(owner, job.id, { fileName: file.name, sizeBytes: file.sizeBytes, sha256: file.sha256 }, now);
}
