// jobs [--status S], jobs show ID, jobs watch ID, jobs cancel ID; and the live follow `train --wait` uses too.
import type { Command } from 'commander';
import { jobArtifacts } from '#domain/artifacts';
import { jobDurations } from '#domain/job-history';
import { failureAction } from '#domain/job-failures';
import { JobStatus, TERMINAL_STATUSES, type Job, type JobLogs } from '#domain/schemas';
import { command, contextOf, type CommonOptions, type Context } from '#cli/command';
import { CliError, EXIT, usageError } from '#cli/errors';
import { follow } from '#cli/follow';
import { formatBytes, formatDuration, table } from '#cli/output';
import { estimateLine } from '#domain/estimate-line';

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

export function jobLines(job: Job, now = new Date()): string[] {
  const d = jobDurations(job, now);
  const files = job.status === 'COMPLETED' ? jobArtifacts(job) : [];
  return [
    `Job ${job.id}: ${progressLine(job)}`,
    `  trainer ${job.trainerId}, dataset ${job.datasetId} v${job.datasetVersion}${job.triggerPhrase ? `, trigger "${job.triggerPhrase}"` : ''}, origin ${job.origin}${job.scheduleId ? ` (schedule ${job.scheduleId})` : ''}`,
    `  params ${Object.entries(job.params).map(([k, v]) => `${k}=${v}`).join(' ') || '(defaults)'}`,
    `  created ${job.createdAt}${job.startedAt ? `, started ${job.startedAt}` : ''}${job.finishedAt ? `, finished ${job.finishedAt}` : ''}`,
    `  waited ${formatDuration(d.waitingSeconds)}${d.trainingSeconds === undefined ? '' : `, trained ${formatDuration(d.trainingSeconds)}`}, total ${formatDuration(d.totalSeconds)}${job.finishedAt ? '' : ' so far'}`,
    ...(job.estimate ? [`  ${job.status === 'COMPLETED' ? 'cost (estimated from the steps it ran)' : 'estimate'} ${estimateLine(job.estimate)}: an estimate, not a bill`] : []),
    ...(job.error ? [`  error ${job.error.code}: ${job.error.message}`, `  what to do: ${failureAction(job.error)}`] : []),
    ...(job.artifact ? [`  LoRA ${job.artifact.fileName} (${formatBytes(job.artifact.sizeBytes)}, sha256 ${job.artifact.sha256}); get it with: loraworks download ${job.id}`] : []),
    ...(files.length > 1 ? ['  files', ...files.map((f) => `    ${f.role.padEnd(16)} ${f.name} (${formatBytes(f.sizeBytes)})`)] : []),
  ];
}

/** The trainer's log lines, one per line with its time; a note when older ones were dropped. */
export function logLines(logs: JobLogs): string[] {
  return [
    ...(logs.truncated ? ['(older lines were dropped; the last ones are kept)'] : []),
    ...logs.lines.map((line) => `${line.at}  ${line.message}`),
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

  jobs.addCommand(command('show', 'One job: state, parameters, times and durations, estimate, error and what to do, files')
    .argument('<id>', 'the job id')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const job = await client.call('get-job', { params: { jobId: id } });
      ctx.out.result(job, () => jobLines(job));
    }));

  jobs.addCommand(command('logs', "The trainer's last log lines of a job; --follow prints new ones until the job ends")
    .argument('<id>', 'the job id')
    .option('--follow', 'keep printing new lines until the job ends')
    .action(async (id: string, options: CommonOptions & { follow?: boolean }) => {
      const ctx = contextOf(options);
      const { client, wsUrl, token } = await ctx.connection();
      const logs = await client.call('get-job-logs', { params: { jobId: id } });
      if (!options.follow) {
        ctx.out.result(logs, () => logs.lines.length ? logLines(logs) : 'No log lines yet.');
        return;
      }
      // Follows the job live; each change of the job is a moment to read the tail again and print what is new.
      let printed = logs.lines;
      let reading = Promise.resolve();
      for (const line of logLines(logs)) ctx.out.note(line);
      const fresh = (next: JobLogs) => {
        const last = printed.at(-1);
        const from = last ? next.lines.findLastIndex((l) => l.at === last.at && l.message === last.message) + 1 : 0;
        printed = next.lines;
        return next.lines.slice(from);
      };
      await follow<Job>({
        wsUrl, token,
        refetch: () => client.call('get-job', { params: { jobId: id } }),
        fromMessage: (m) => (m.type === 'job' && m.job.id === id ? m.job : undefined),
        isDone: (job) => TERMINAL_STATUSES.includes(job.status),
        onState: () => {
          // A read that fails is skipped: the next change, or the final read, catches up.
          reading = reading.then(async () => {
            for (const line of fresh(await client.call('get-job-logs', { params: { jobId: id } }))) ctx.out.note(`${line.at}  ${line.message}`);
          }).catch(() => undefined);
        },
        onLink: () => undefined,
      });
      await reading;
      const last = await client.call('get-job-logs', { params: { jobId: id } });
      const rest = fresh(last);
      ctx.out.result(last, () => rest.map((line) => `${line.at}  ${line.message}`));
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
