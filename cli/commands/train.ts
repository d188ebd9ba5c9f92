// train: a job from a trainer, a dataset version, a trigger phrase and parameters, checked against the catalog
// before it is sent; --wait follows it live and exits 0 only when it COMPLETED; --estimate asks what it would cost
// and how long it would take (POST /jobs/estimate, the same body) and starts nothing.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { command, contextOf, type CommonOptions } from '#cli/command';
import { estimateLine } from '#domain/estimate-line';
import type { JobEstimate } from '#domain/schemas';
import { usageError } from '#cli/errors';
import { checkTrainingRequest, invalidParamsMessage } from '#cli/params';
import { trainerById } from './trainers';
import { jobLines, reportEnded, watchJob } from './jobs';

interface TrainOptions extends CommonOptions {
  trainer: string;
  dataset: string;
  version?: string;
  trigger?: string;
  param: string[];
  wait?: boolean;
  estimate?: boolean;
}

/** "Estimate: about $2.40 · about 8 min (…)" and the basis: said as the web says it beside Start. */
export const estimateLines = (estimate: JobEstimate): string[] => [
  `Estimate: ${estimateLine(estimate)} (an estimate, not a quote: the trainer bills what it bills)`,
  `  ${estimate.basis}`,
];

const collect = (value: string, previous: string[]) => [...previous, value];

export function trainCommand(program: Command): void {
  program.addCommand(command('train', 'Start training a LoRA; --wait follows it live, --estimate only says its cost and time')
    .requiredOption('--trainer <id>', 'the trainer id (see loraworks trainers)')
    .requiredOption('--dataset <id>', 'the dataset id')
    .option('--version <n>', 'the dataset version (default: its latest READY one)')
    .option('--trigger <phrase>', 'the word or phrase that will call up the LoRA in prompts')
    .option('--param <key=value>', 'a trainer parameter, repeatable (see loraworks trainers show ID)', collect, [])
    .option('--wait', 'follow the job until it ends; exit 0 only when it COMPLETED')
    .option('--estimate', 'start nothing: print the expected cost and duration of this job (POST /jobs/estimate)')
    .addHelpText('after', '\nExample:\n  loraworks train --trainer fal-ai/flux-lora-fast-training --dataset ds_123 --trigger "ohwx cat" --param steps=500 --wait\n  loraworks train --trainer fal-ai/flux-lora-fast-training --dataset ds_123 --trigger "ohwx cat" --param steps=500 --estimate')
    .action(async (options: TrainOptions) => {
      const ctx = contextOf(options);
      if (options.estimate && options.wait) throw usageError('--estimate starts nothing, so there is nothing to --wait for; give one of them.');
      let datasetVersion: number | undefined;
      if (options.version !== undefined) {
        datasetVersion = Number(options.version);
        if (!Number.isInteger(datasetVersion) || datasetVersion < 1) throw usageError(`--version must be a version number (1, 2, …); got "${options.version}".`);
      }
      const trainer = await trainerById(ctx, options.trainer);
      const checked = checkTrainingRequest(trainer, options.trigger, options.param);
      if ('details' in checked) throw usageError(invalidParamsMessage(trainer), checked.details);
      const { client } = await ctx.connection();
      const body = { trainerId: trainer.id, datasetId: options.dataset, ...(datasetVersion ? { datasetVersion } : {}), triggerPhrase: options.trigger ?? '', params: checked.params, origin: 'api' as const };
      if (options.estimate) {
        const estimate = await client.call('estimate-job', { body });
        ctx.out.result(estimate, () => estimateLines(estimate));
        return;
      }
      const job = await client.call('create-job', { body, headers: { 'Idempotency-Key': randomUUID() } });
      if (!options.wait) {
        ctx.out.result(job, () => [...jobLines(job), `Follow it with: loraworks jobs watch ${job.id}`]);
        return;
      }
      ctx.out.note(`Job ${job.id} is ${job.status}; following it live…`);
      reportEnded(ctx, await watchJob(ctx, job.id));
    }));
}
