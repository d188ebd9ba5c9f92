// Submit: hands the job to its trainer, or resumes a job that already reached one (the reconciler's restart).
import { datasetObjectKey } from '#domain/datasets';
import { cancelled, isTerminal } from '#domain/job-lifecycle';
import type { TrainingState } from '#domain/training-state';
import { presignDownload } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { headObject } from '#adapters/dataset-objects';
import { getStoredVersion } from '#adapters/dataset-store';
import { getJob } from '#adapters/job-store';
import { linkSignerCredentials } from '#adapters/link-signer';
import { attachRemote, markSubmitting } from '#adapters/job-workflow-marks';
import { logger } from '#adapters/logger';
import { getTrainer, providerFor } from '#adapters/trainers';
import { TrainerRejected } from '#providers/provider';
import { finishJob } from './finish-job';
import { loadTrainingJob } from './load-training-job';

/** How long the trainer's dataset link is valid. */
export const DATASET_LINK_SECONDS = 6 * 60 * 60;

export async function submitTraining(state: TrainingState): Promise<TrainingState> {
  const job = await loadTrainingJob(state);
  const now = new Date();
  if (isTerminal(job.status)) return { ...state, phase: 'done' };
  if (job.status === 'CANCELLING' && !job.remote) {
    await finishJob(job, (current) => cancelled(current, now));
    return { ...state, phase: 'done' };
  }
  if (job.remote) return { ...state, phase: job.status === 'RUNNING' ? 'running' : 'queued', waitSeconds: config.pollMinSeconds };

  const trainer = await getTrainer(job.trainerId);
  if (!trainer) throw new TrainerRejected(`The trainer ${job.trainerId} is no longer offered.`, 'UNKNOWN_TRAINER');
  const version = await getStoredVersion(job.owner, job.datasetId, job.datasetVersion);
  if (!version?.fileName) throw new TrainerRejected(`Version ${job.datasetVersion} of the dataset is gone.`, 'DATASET_GONE');
  // The validated copy (validated/, which only the validator writes); a version validated before copies were
  // made there is read at its upload key, and only while that object is still the one validated.
  const key = version.validatedKey ?? datasetObjectKey(job.owner, job.datasetId, job.datasetVersion, version.fileName);
  const expectedETag = version.validatedKey ? version.validatedETag : version.objectETag;
  const head = await headObject(config.datasetsBucket, key);
  if (!head || (expectedETag && head.eTag !== expectedETag)) {
    throw new TrainerRejected(`Version ${job.datasetVersion} of the dataset is no longer the file that was validated. Upload the zip again and start the job on the new version.`, 'DATASET_CHANGED');
  }
  // Signed with the link signer's own key, so the link lives its 6 hours even if this function's session ends first.
  const datasetUrl = await presignDownload(config.datasetsBucket, key, DATASET_LINK_SECONDS, undefined, await linkSignerCredentials());

  const provider = await providerFor(trainer);
  if (!(await markSubmitting(job, new Date()))) {
    // Cancelled (or moved on) just now: nothing reached the trainer. A cancel ends here, once.
    const current = await getJob(job.owner, job.id);
    if (current && current.status === 'CANCELLING' && !current.remote) {
      await finishJob(current, (latest) => (latest.remote ? null : cancelled(latest, new Date())));
    }
    return { ...state, phase: 'done' };
  }
  const remote = await provider.submit({ trainer, datasetUrl, triggerPhrase: job.triggerPhrase, params: job.params });
  const stored = await attachRemote(job, remote, new Date());
  if (!stored) {
    // Cancelled while the submit was in flight, or another workflow of this job submitted first (a restart
    // racing the original): the trainer has a job nobody wants any more.
    await provider.cancel(remote).catch((error: unknown) => logger.warn('Cancel of an orphaned submit failed', { error: String(error) }));
    return { ...state, phase: 'done' };
  }
  logger.info('Submitted to the trainer', { provider: remote.provider, endpoint: remote.endpoint, requestId: remote.requestId });
  return { ...state, phase: 'queued', polls: 0, waitSeconds: config.pollMinSeconds };
}
