// How a job's status reads everywhere the web shows a job: the jobs list and its details.
import type { Job, JobStatus } from '#domain/schemas';
import { formatEta } from '#domain/estimate-line';
import { icon } from '#web/dom';
import { formatDuration } from '#web/format';

export const JOB_STATUS: Record<JobStatus, { text: string; icon: string; tone: string }> = {
  QUEUED: { text: 'Queued', icon: 'clock', tone: 'queued' },
  RUNNING: { text: 'Running', icon: 'spinner', tone: 'running' },
  CANCELLING: { text: 'Cancelling', icon: 'spinner', tone: 'cancelling' },
  COMPLETED: { text: 'Completed', icon: 'check', tone: 'completed' },
  FAILED: { text: 'Failed', icon: 'alert', tone: 'failed' },
  CANCELLED: { text: 'Cancelled', icon: 'ban', tone: 'cancelled' },
};

/** A status's icon, turning while the job is at work. */
export const statusIcon = (status: JobStatus): SVGSVGElement => icon(JOB_STATUS[status].icon, JOB_STATUS[status].icon === 'spinner' ? 'spin' : '');

/** The one line under a job's progress bar: queue position, step and time left, or how it ended. */
export function progressLine(job: Job): string {
  const p = job.progress;
  const steps = p.step !== undefined && p.totalSteps ? `Step ${p.step} / ${p.totalSteps}` : `${Math.round(p.fraction * 100)}%`;
  switch (job.status) {
    case 'QUEUED':
      if (p.queuePosition !== undefined) return p.queuePosition === 0 ? 'Next in the trainer queue' : `Queued · position ${p.queuePosition}`;
      return p.message ?? 'Waiting for a trainer…';
    case 'RUNNING':
      return [steps, p.etaSeconds !== undefined ? `${formatEta(p.etaSeconds)} left` : null].filter(Boolean).join(' · ');
    case 'CANCELLING':
      return `Stopping at ${steps.toLowerCase()}…`;
    case 'COMPLETED':
      return job.startedAt && job.finishedAt ? `Done in ${formatDuration(job.startedAt, job.finishedAt)}` : 'Done';
    case 'FAILED':
      return `Stopped at ${steps.toLowerCase()}`;
    case 'CANCELLED':
      return p.step ? `Cancelled at ${steps.toLowerCase()}` : 'Cancelled before start';
  }
}
