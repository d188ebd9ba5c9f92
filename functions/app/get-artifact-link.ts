// A short-lived download link for a completed job's LoRA.
import { artifactKey } from '#domain/artifacts';
import { Conflict } from '#domain/errors';
import type { ArtifactLink } from '#domain/schemas';
import { presignDownload } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { ownedJob } from './get-job';

const LINK_SECONDS = 15 * 60;

export async function artifactLink(owner: string, jobId: string, now: Date): Promise<ArtifactLink> {
  const job = await ownedJob(owner, jobId);
  if (job.status !== 'COMPLETED' || !job.artifact) {
    throw new Conflict('JOB_NOT_COMPLETED', `Job ${job.id} is ${job.status.toLowerCase()}; its LoRA can be downloaded once it has completed.`);
  }
  const url = await presignDownload(config.artifactsBucket, artifactKey(owner, job.id, job.artifact.fileName), LINK_SECONDS, job.artifact.fileName);
  return { url, ...job.artifact, expiresAt: new Date(now.getTime() + LINK_SECONDS * 1000).toISOString() };
}
