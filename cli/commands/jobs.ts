// jobs [--status S], jobs show ID, jobs watch ID, jobs cancel ID; and the live follow `train --wait` uses too.
import type { Command } from 'commander';
import { JobStatus, TERMINAL_STATUSES, type Job } from '#domain/schemas';
import { command, contextOf, type CommonOptions, type Context } from '#cli/command';
import { CliError, EXIT, usageError } from '#cli/errors';
import { follow } from '#cli/follow';
import { formatBytes, formatDuration, table } from '#cli/output';

const percent = (job: Job) => `${Math.round(job.progress.fraction * 100)}%`;

/** One line of where a job is: status, step of total, ETA, queue position. */
export function progressLine(job: Job): string {
  const p = job.progress;
  const parts: string[] = [job.status];
  if (p.queuePosition !== undefined) parts.push(`queue position ${p.queuePosition}`);
  if (p.step !== undefined) parts.push(`step ${p.step}${p.totalSteps !== undefined ? `/${p.totalSteps}` : ''}`);
  if (job.status === 'RUNNING') parts.push(percent(job));
  if (p.etaSeconds !== undefined && job.status === 'RUNNING') parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  if (p.message) parts.push(p.message);
  return parts.join(', ');
}

export function jobLines(job: Job): string[] {
  return [
    `Job ${job.id}: ${progressLine(job)}`,
    `  trainer ${job.trainerId}, dataset ${job.datasetId} v${job.datasetVersion}${job.triggerPhrase ? `, trigger "${job.triggerPhrase}"` : ''}`,
    `  params ${Object.entries(job.params).map(([k, v]) => `${k}=${v}`).join(' ') || '(defaults)'}`,
    `  created ${job.createdAt}${job.startedAt ? `, started ${job.startedAt}` : ''}${job.finishedAt ? `, finished ${job.finishedAt}` : ''}`,
    ...(job.error ? [`  error ${job.error.code}: ${job.error.message}`] : []),
    ...(job.artifact ? [`  LoRA ${job.artifact.fileName} (${formatBytes(job.artifact.sizeBytes)}, sha256 ${job.artifact.sha256}); get it with: loraworks download ${job.id}`] : []),
  ];
}

/** Exit 0 only for COMPLETED; a FAILED or CANCELLED job is the thing asked failing. */
export function outcomeError(job: Job): CliError | undefined {
  if (job.status === 'COMPLETED') return undefined;
  return new CliError(EXIT.failed, `Job ${job.id} ended ${job.status}${job.error ? `: ${job.error.message}` : '.'}`);
}

/** Follows a job until it ends, with a progress bar on a terminal and a line per change otherwise. */
export async function watchJob(ctx: Context, jobId: string): Promise<Job> {
  const { client, wsUrl, token } = await ctx.connection();
  const bar = ctx.out.jobBar();
  let lastLine = '';
  try {
    return await follow<Job>({
      wsUrl, token,
      refetch: () => client.call('get-job', { params: { jobId } }),
      fromMessage: (m) => (m.type === 'job' && m.job.id === jobId ? m.job : undefined),
      isDone: (job) => TERMINAL_STATUSES.includes(job.status),
      onState: (job) => {
        if (ctx.out.interactive) {
          bar.update({ status: job.status, ...job.progress });
          return;
        }
        const line = progressLine(job);
        if (line !== lastLine) ctx.out.note(line);
        lastLine = line;
      },
      onLink: (state) => ctx.out.interactive || ctx.out.note(state === 'open' ? 'Live updates are back.' : 'Live updates dropped; reconnecting…'),
    });
  } finally {
    bar.stop();
  }
}

/** Prints the ended job and fails unless it COMPLETED. */
export function reportEnded(ctx: Context, job: Job): void {
  ctx.out.result(job, () => jobLines(job));
  const error = outcomeError(job);
  if (error) throw error;
}

export function jobsCommand(program: Command): void {
  const jobs = command('jobs', 'List your jobs, newest first (or use a subcommand)')
    .option('--status <status>', `only jobs in this state: ${JobStatus.options.join(', ')}`)
    .option('--limit <n>', 'at most this many (1 to 100)', '50')
    .action(async (options: CommonOptions & { status?: string; limit: string }) => {
      const ctx = contextOf(options);
      const status = options.status?.toUpperCase();
      if (status !== undefined && !JobStatus.safeParse(status).success) throw usageError(`--status must be one of ${JobStatus.options.join(', ')}; got "${options.status}".`);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw usageError(`--limit must be a whole number from 1 to 100; got "${options.limit}".`);
      const { client } = await ctx.connection();
      const list = await client.call('list-jobs', { query: { limit, ...(status ? { status } : {}) } });
      ctx.out.result(list, () => list.jobs.length === 0 ? 'No jobs.' : table(['ID', 'STATUS', 'PROGRESS', 'TRAINER', 'DATASET', 'CREATED'],
        list.jobs.map((j) => [j.id, j.status, percent(j), j.trainerId, `${j.datasetId} v${j.datasetVersion}`, j.createdAt])));
    });

  jobs.addCommand(command('show', 'One job: state, progress, parameters, error or LoRA')
    .argument('<id>', 'the job id')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const job = await client.call('get-job', { params: { jobId: id } });
      ctx.out.result(job, () => jobLines(job));
    }));

  jobs.addCommand(command('watch', 'Follow a job live until it ends; exit 0 only when it COMPLETED')
    .argument('<id>', 'the job id')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      reportEnded(ctx, await watchJob(ctx, id));
    }));

  jobs.addCommand(command('cancel', 'Cancel a job (CANCELLING until the trainer stops, or CANCELLED at once if it never reached it)')
    .argument('<id>', 'the job id')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const job = await client.call('cancel-job', { params: { jobId: id } });
      ctx.out.result(job, () => `Job ${job.id} is ${job.status}.${job.status === 'CANCELLING' ? ` Follow it with: loraworks jobs watch ${job.id}` : ''}`);
    }));
  program.addCommand(jobs);
}
