import { presignDownload } from '../adapters/blob-store';
import { config } from '../adapters/config';
import { getJob } from '../adapters/job-store';
import { artifactKey } from '../domain/artifacts';
import { Conflict, NotFound } from '../domain/errors';
import type { ArtifactLink } from '../domain/schemas';
import { JobPath } from '../http/paths';
import { httpRoute } from '../http/http-route';

const LINK_SECONDS = 15 * 60;

export const handler = httpRoute({ path: JobPath }, async ({ owner, path, now }) => {
  const job = await getJob(owner, path.jobId);
  if (!job) throw new NotFound('JOB_NOT_FOUND', `Job ${path.jobId} does not exist.`);
  if (job.status !== 'COMPLETED' || !job.artifact) {
    throw new Conflict('JOB_NOT_COMPLETED', `Job ${job.id} is ${job.status.toLowerCase()}; its LoRA can be downloaded once it has completed.`);
  }
  const url = await presignDownload(config.artifactsBucket, artifactKey(owner, job.id, job.artifact.fileName), LINK_SECONDS, job.artifact.fileName);
  const link: ArtifactLink = { url, ...job.artifact, expiresAt: new Date(now.getTime() + LINK_SECONDS * 1000).toISOString() };
  return { status: 200, body: link };
});
