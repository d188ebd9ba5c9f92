// train: a job from a trainer, a dataset version, a trigger phrase and parameters, checked against the catalog
// before it is sent; --wait follows it live and exits 0 only when it COMPLETED.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { command, contextOf, type CommonOptions } from '#cli/command';
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
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function trainCommand(program: Command): void {
  program.addCommand(command('train', 'Start training a LoRA; --wait follows it live')
    .requiredOption('--trainer <id>', 'the trainer id (see loraworks trainers)')
    .requiredOption('--dataset <id>', 'the dataset id')
    .option('--version <n>', 'the dataset version (default: its latest READY one)')
    .option('--trigger <phrase>', 'the word or phrase that will call up the LoRA in prompts')
    .option('--param <key=value>', 'a trainer parameter, repeatable (see loraworks trainers show ID)', collect, [])
    .option('--wait', 'follow the job until it ends; exit 0 only when it COMPLETED')
    .addHelpText('after', '\nExample:\n  loraworks train --trainer fal-ai/flux-lora-fast-training --dataset ds_123 --trigger "ohwx cat" --param steps=500 --wait')
    .action(async (options: TrainOptions) => {
      const ctx = contextOf(options);
      let datasetVersion: number | undefined;
      if (options.version !== undefined) {
        datasetVersion = Number(options.version);
        if (!Number.isInteger(datasetVersion) || datasetVersion < 1) throw usageError(`--version must be a version number (1, 2, …); got "${options.version}".`);
      }
      const trainer = await trainerById(ctx, options.trainer);
      const checked = checkTrainingRequest(trainer, options.trigger, options.param);
      if ('details' in checked) throw usageError(invalidParamsMessage(trainer), checked.details);
      const { client } = await ctx.connection();
      const job = await client.call('create-job', {
        body: { trainerId: trainer.id, datasetId: options.dataset, ...(datasetVersion ? { datasetVersion } : {}), triggerPhrase: options.trigger ?? '', params: checked.params, origin: 'api' },
        headers: { 'Idempotency-Key': randomUUID() },
      });
      if (!options.wait) {
        ctx.out.result(job, () => [...jobLines(job), `Follow it with: loraworks jobs watch ${job.id}`]);
        return;
      }
      ctx.out.note(`Job ${job.id} is ${job.status}; following it live…`);
      reportEnded(ctx, await watchJob(ctx, job.id));
    }));
}
