// schedules, schedules show|create|runs|run|pause|resume|delete: retraining on an EventBridge Scheduler expression.
import type { Command } from 'commander';
import { zodDetails } from '#domain/errors';
import { CreateScheduleRequest, UpdateScheduleRequest, type Schedule, type ScheduleRun, type Trainer } from '#domain/schemas';
import { command, contextOf, type CommonOptions } from '#cli/command';
import { failure, usageError } from '#cli/errors';
import { table } from '#cli/output';
import { checkTrainingRequest, invalidParamsMessage } from '#cli/params';
import { trainerById } from './trainers';

export interface CreateScheduleOptions extends CommonOptions {
  name: string;
  dataset: string;
  trainer: string;
  trigger?: string;
  param: string[];
  cron?: string;
  rate?: string;
  at?: string;
  expression?: string;
  timezone?: string;
  always?: boolean;
  autoRegister?: boolean;
  paused?: boolean;
}

type Detail = { field: string; message: string };

const WHEN_FLAGS = ['cron', 'rate', 'at'] as const;
const EXPRESSION_HELP = 'give one of --cron "0 3 ? * MON *", --rate "7 days", --at 2027-01-01T03:00:00 or --expression "cron(0 3 ? * MON *)"';

/** The Scheduler expression of the one timing flag given: `--cron X` is cron(X), and so on (an already wrapped value stays). */
export function expressionOf(options: Pick<CreateScheduleOptions, 'cron' | 'rate' | 'at' | 'expression'>): string {
  const expression = optionalExpressionOf(options);
  if (expression === undefined) throw usageError(`When should it run? ${EXPRESSION_HELP}.`);
  return expression;
}

function optionalExpressionOf(options: Pick<CreateScheduleOptions, 'cron' | 'rate' | 'at' | 'expression'>): string | undefined {
  const given = [...WHEN_FLAGS, 'expression' as const].filter((flag) => options[flag] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length > 1) throw usageError(`Give one of --cron, --rate, --at and --expression; got ${given.map((f) => `--${f}`).join(' and ')}.`);
  const flag = given[0]!;
  const value = options[flag]!.trim();
  if (flag === 'expression') return value;
  return value.startsWith(`${flag}(`) ? value : `${flag}(${value})`;
}

/**
 * The POST /schedules body of `schedules create`'s options, checked as the API checks it (the schedule's fields,
 * the expression and zone, the trigger phrase and parameters against the trainer): a usage error with every
 * problem by field before anything is sent.
 */
export function createScheduleBody(trainer: Trainer, options: CreateScheduleOptions): CreateScheduleRequest {
  const expression = expressionOf(options);
  const checked = checkTrainingRequest(trainer, options.trigger, options.param);
  const body = {
    name: options.name,
    datasetId: options.dataset,
    trainerId: trainer.id,
    triggerPhrase: options.trigger ?? '',
    params: 'params' in checked ? checked.params : {},
    expression,
    ...(options.timezone !== undefined ? { timezone: options.timezone } : {}),
    onlyIfDatasetChanged: !options.always,
    autoRegister: options.autoRegister === true,
    enabled: !options.paused,
  };
  const parsed = CreateScheduleRequest.safeParse(body);
  const details: Detail[] = [
    ...(parsed.success ? [] : zodDetails(parsed.error)),
    ...('details' in checked ? checked.details : []),
  ];
  if (details.length) {
    throw usageError('details' in checked && parsed.success ? invalidParamsMessage(trainer) : 'The schedule was not created: fix what is listed below.', details);
  }
  return parsed.data!;
}

export interface UpdateScheduleOptions extends CommonOptions, Pick<CreateScheduleOptions, 'cron' | 'rate' | 'at' | 'expression' | 'timezone' | 'trigger'> {
  name?: string;
  param: string[];
  /** --always (true) or --only-if-changed (false). */
  always?: boolean;
  autoRegister?: boolean;
}

/** What a changed trigger phrase or parameters are checked with: the schedule's trainer and its other value. */
export interface CurrentTraining {
  trainer: Trainer;
  triggerPhrase?: string;
  params: Schedule['params'];
}

/**
 * The PATCH /schedules/{id} body of `schedules update`'s options: only what was given (`--param` replaces the
 * parameters), checked as the API checks it; a new trigger phrase or parameters with the schedule's trainer.
 */
export function updateScheduleBody(options: UpdateScheduleOptions, current?: CurrentTraining): UpdateScheduleRequest {
  const expression = optionalExpressionOf(options);
  const pairs = options.param.length > 0 ? options.param : Object.entries(current?.params ?? {}).map(([k, v]) => `${k}=${v}`);
  const checked = current && (options.param.length > 0 || options.trigger !== undefined)
    ? checkTrainingRequest(current.trainer, options.trigger ?? current.triggerPhrase, pairs) : undefined;
  const body = {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(expression !== undefined ? { expression } : {}),
    ...(options.timezone !== undefined ? { timezone: options.timezone } : {}),
    ...(options.trigger !== undefined ? { triggerPhrase: options.trigger } : {}),
    ...(checked && 'params' in checked && options.param.length > 0 ? { params: checked.params } : {}),
    ...(options.always !== undefined ? { onlyIfDatasetChanged: !options.always } : {}),
    ...(options.autoRegister !== undefined ? { autoRegister: options.autoRegister } : {}),
  };
  if (Object.keys(body).length === 0 && options.param.length === 0) {
    throw usageError('Nothing to change: give for example --cron "0 4 ? * SUN *", --timezone Europe/Paris, --param steps=800 or --always.');
  }
  const parsed = UpdateScheduleRequest.safeParse(body);
  const details: Detail[] = [
    ...(parsed.success ? [] : zodDetails(parsed.error)),
    ...(checked && 'details' in checked ? checked.details : []),
  ];
  if (details.length) throw usageError('The schedule was not changed: fix what is listed below.', details);
  return parsed.data!;
}

/** When it runs, as a person reads it: the expression and its zone. */
export const whenOf = (s: Schedule) => `${s.expression} ${s.timezone}`;

/** A run in a few words: the job it started, or why it skipped or failed. */
export function runSummary(run: ScheduleRun | undefined): string {
  if (!run) return 'never run';
  const version = run.datasetVersion !== undefined ? ` v${run.datasetVersion}` : '';
  switch (run.outcome) {
    case 'STARTED': return `started ${run.jobId ?? 'a job'}${version ? ` (dataset${version})` : ''}`;
    case 'SKIPPED': return `skipped: ${run.reason ?? 'nothing to do'}`;
    case 'FAILED': return `failed: ${run.reason ?? 'unknown reason'}`;
  }
}

export function scheduleLines(s: Schedule): string[] {
  return [
    `Schedule ${s.id} "${s.name}": ${s.enabled ? 'active' : 'paused'}`,
    `  runs ${whenOf(s)}; next ${s.nextRunAt ?? (s.enabled ? 'none (it has fired)' : 'none while paused')}`,
    `  trains dataset ${s.datasetId} with ${s.trainerId}${s.triggerPhrase ? `, trigger "${s.triggerPhrase}"` : ''}`,
    `  params ${Object.entries(s.params).map(([k, v]) => `${k}=${v}`).join(' ') || '(defaults)'}`,
    `  ${s.onlyIfDatasetChanged ? 'only when the dataset has a new READY version' : 'every time, changed or not'}${s.autoRegister ? '; registers the LoRA when the job completes' : ''}`,
    `  last run ${s.lastRun ? `${s.lastRun.at}: ${runSummary(s.lastRun)}` : 'none yet'}`,
  ];
}

/** The run as a sentence; a FAILED run is the thing asked failing (exit 1), a SKIPPED one is an answer. */
function runLine(run: ScheduleRun): string {
  return `Run ${run.id} at ${run.at}: ${run.outcome}${run.jobId ? `, job ${run.jobId}` : ''}${run.datasetVersion !== undefined ? `, dataset v${run.datasetVersion}` : ''}${run.reason ? `: ${run.reason}` : ''}`;
}

export function schedulesCommand(program: Command): void {
  const schedules = command('schedules', 'List your schedules: when they run, the next run and the last outcome (or use a subcommand)')
    .action(async (options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const list = await client.call('list-schedules');
      ctx.out.result(list, () => list.schedules.length === 0 ? 'No schedules: loraworks schedules create --help shows how to make one.'
        : table(['ID', 'NAME', 'WHEN', 'STATE', 'NEXT RUN', 'LAST RUN'],
          list.schedules.map((s) => [s.id, s.name, whenOf(s), s.enabled ? 'active' : 'paused', s.nextRunAt ?? '-', runSummary(s.lastRun)])));
    });

  schedules.addCommand(command('show', 'One schedule: what it trains, when, its next and last run')
    .argument('<id>', 'the schedule id')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const schedule = await client.call('get-schedule', { params: { scheduleId: id } });
      ctx.out.result(schedule, () => scheduleLines(schedule));
    }));

  schedules.addCommand(command('create', 'Retrain a dataset on a schedule (by default only when it has a new READY version)')
    .requiredOption('--name <name>', 'what to call the schedule, such as "weekly retrain"')
    .requiredOption('--dataset <id>', 'the dataset id')
    .requiredOption('--trainer <id>', 'the trainer id (see loraworks trainers)')
    .option('--trigger <phrase>', 'the word or phrase that will call up the LoRA in prompts')
    .option('--param <key=value>', 'a trainer parameter, repeatable (see loraworks trainers show ID)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--cron <fields>', 'six cron fields as EventBridge Scheduler takes them: minutes hours day-of-month month day-of-week year')
    .option('--rate <every>', 'a rate such as "1 day", "7 days" or "12 hours"')
    .option('--at <time>', 'once, at a local date and time yyyy-mm-ddThh:mm:ss')
    .option('--expression <expr>', 'a whole Scheduler expression: cron(…), rate(…) or at(…)')
    .option('--timezone <zone>', 'the IANA time zone the expression is read in (default UTC)')
    .option('--always', 'train on every run, even when the dataset has not changed since the last one')
    .option('--auto-register', 'register the LoRA as an adapter when the job completes')
    .option('--paused', 'create it paused (resume it with loraworks schedules resume ID)')
    .addHelpText('after', '\nExamples:\n  loraworks schedules create --name "weekly cat" --dataset ds_123 --trainer fal-ai/flux-lora-fast-training --trigger "ohwx cat" --cron "0 3 ? * MON *" --timezone Europe/Paris --auto-register\n  loraworks schedules create --name nightly --dataset ds_123 --trainer fal-ai/flux-lora-fast-training --trigger "ohwx cat" --rate "1 day" --param steps=500')
    .action(async (options: CreateScheduleOptions) => {
      const ctx = contextOf(options);
      expressionOf(options);
      const trainer = await trainerById(ctx, options.trainer);
      const body = createScheduleBody(trainer, options);
      const { client } = await ctx.connection();
      const schedule = await client.call('create-schedule', { body });
      ctx.out.result(schedule, () => [...scheduleLines(schedule), `Run it now with: loraworks schedules run ${schedule.id}`]);
    }));

  schedules.addCommand(command('runs', 'A schedule\'s runs, newest first: when, STARTED / SKIPPED / FAILED, the job and the reason')
    .argument('<id>', 'the schedule id')
    .option('--limit <n>', 'at most this many (1 to 100)', '50')
    .action(async (id: string, options: CommonOptions & { limit: string }) => {
      const ctx = contextOf(options);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw usageError(`--limit must be a whole number from 1 to 100; got "${options.limit}".`);
      const { client } = await ctx.connection();
      const list = await client.call('list-schedule-runs', { params: { scheduleId: id }, query: { limit } });
      ctx.out.result(list, () => list.runs.length === 0 ? `Schedule ${id} has not run yet.`
        : table(['AT', 'OUTCOME', 'VERSION', 'JOB', 'REASON'], list.runs.map((r) => [r.at, r.outcome, r.datasetVersion ?? '', r.jobId ?? '', r.reason ?? ''])));
    }));

  schedules.addCommand(command('run', 'Run a schedule now, with its usual rules; exit 1 when the run FAILED')
    .argument('<id>', 'the schedule id')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const run = await client.call('run-schedule', { params: { scheduleId: id } });
      ctx.out.result(run, () => [runLine(run), ...(run.jobId ? [`Follow it with: loraworks jobs watch ${run.jobId}`] : [])]);
      if (run.outcome === 'FAILED') throw failure(`Schedule ${id} ran but FAILED: ${run.reason ?? 'no reason given'}`);
    }));

  schedules.addCommand(command('update', 'Change a schedule: when it runs, its zone, name, trigger phrase, parameters or what it does')
    .argument('<id>', 'the schedule id')
    .option('--name <name>', 'a new name')
    .option('--cron <fields>', 'run on these six cron fields instead')
    .option('--rate <every>', 'run at this rate instead, such as "1 day"')
    .option('--at <time>', 'run once instead, at a local yyyy-mm-ddThh:mm:ss')
    .option('--expression <expr>', 'a whole Scheduler expression instead')
    .option('--timezone <zone>', 'read the expression in this IANA time zone')
    .option('--trigger <phrase>', 'a new trigger phrase')
    .option('--param <key=value>', 'the trainer parameters, repeatable: they replace the schedule\'s', (value: string, previous: string[]) => [...previous, value], [])
    .option('--always', 'train on every run, changed dataset or not')
    .option('--only-if-changed', 'train only when the dataset has a new READY version')
    .option('--auto-register', 'register the LoRA when the job completes')
    .option('--no-auto-register', 'do not register the LoRA')
    .action(async (id: string, raw: UpdateScheduleOptions & { onlyIfChanged?: boolean }) => {
      const ctx = contextOf(raw);
      if (raw.always && raw.onlyIfChanged) throw usageError('Give --always or --only-if-changed, not both.');
      const options = { ...raw, always: raw.always ? true : raw.onlyIfChanged ? false : undefined };
      const { client } = await ctx.connection();
      // The parameters and trigger phrase are checked against the schedule's trainer, as PATCH checks them.
      let current: CurrentTraining | undefined;
      if (options.param.length > 0 || options.trigger !== undefined) {
        const schedule = await client.call('get-schedule', { params: { scheduleId: id } });
        current = { trainer: await trainerById(ctx, schedule.trainerId), triggerPhrase: schedule.triggerPhrase, params: schedule.params };
      }
      const body = updateScheduleBody(options, current);
      const schedule = await client.call('update-schedule', { params: { scheduleId: id }, body });
      ctx.out.result(schedule, () => scheduleLines(schedule));
    }));

  for (const [name, enabled] of [['pause', false], ['resume', true]] as const) {
    schedules.addCommand(command(name, enabled ? 'Resume a paused schedule: it fires again from its next run' : 'Pause a schedule: it does not fire until resumed')
      .argument('<id>', 'the schedule id')
      .action(async (id: string, options: CommonOptions) => {
        const ctx = contextOf(options);
        const { client } = await ctx.connection();
        const schedule = await client.call('update-schedule', { params: { scheduleId: id }, body: { enabled } });
        ctx.out.result(schedule, () => `Schedule ${schedule.id} is ${schedule.enabled ? `active; next run ${schedule.nextRunAt ?? 'none'}` : 'paused'}.`);
      }));
  }

  schedules.addCommand(command('delete', 'Delete a schedule (its jobs and registered LoRAs stay)')
    .argument('<id>', 'the schedule id')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      await client.call('delete-schedule', { params: { scheduleId: id } });
      ctx.out.result({ deleted: id }, () => `Deleted schedule ${id}; its jobs and LoRAs stay.`);
    }));
  program.addCommand(schedules);
}
