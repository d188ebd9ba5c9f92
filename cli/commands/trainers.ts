// trainers, trainers show ID: the catalog, and one trainer's parameters with their ranges and defaults.
import type { Command } from 'commander';
import type { Trainer, TrainerParam } from '#domain/schemas';
import { command, contextOf, type CommonOptions, type Context } from '#cli/command';
import { usageError } from '#cli/errors';
import { table } from '#cli/output';

export function rangeOf(param: TrainerParam): string {
  if (param.type === 'enum') return (param.options ?? []).join(' | ');
  if (param.type === 'boolean') return 'true | false';
  if (param.min !== undefined && param.max !== undefined) return `${param.min}..${param.max}`;
  if (param.min !== undefined) return `>= ${param.min}`;
  if (param.max !== undefined) return `<= ${param.max}`;
  return '';
}

/** The trainer of that id from the catalog, or a usage error naming the ones there are. */
export async function trainerById(ctx: Context, id: string): Promise<Trainer> {
  const { client } = await ctx.connection();
  const { trainers } = await client.call('list-trainers');
  const trainer = trainers.find((t) => t.id === id);
  if (!trainer) throw usageError(`There is no trainer ${id}. Known trainers: ${trainers.map((t) => t.id).join(', ') || 'none'} (see loraworks trainers).`);
  return trainer;
}

export function trainersCommand(program: Command): void {
  const trainers = command('trainers', 'List the trainers (id, provider, kind, dataset needs)')
    .action(async (options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const list = await client.call('list-trainers');
      ctx.out.result(list, () => [
        ...table(['ID', 'PROVIDER', 'KIND', 'MIN IMAGES', 'TRIGGER', 'NAME'],
          list.trainers.map((t) => [t.id, t.provider, t.kind, t.dataset.minImages, t.trigger, t.name])),
        ...list.unavailable.map((u) => `(${u.provider} trainers are not listed: ${u.reason})`),
      ]);
    });

  trainers.addCommand(command('show', 'One trainer: what it needs and its parameters with ranges and defaults')
    .argument('<id>', 'the trainer id, for example fal-ai/flux-lora-fast-training')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const trainer = await trainerById(ctx, id);
      const rules = trainer.dataset;
      ctx.out.result(trainer, () => [
        `${trainer.name} (${trainer.id}, ${trainer.provider}, ${trainer.kind})`,
        trainer.description,
        `Dataset: at least ${rules.minImages}${rules.maxImages ? ` and at most ${rules.maxImages}` : ''} files of ${rules.formats.join(', ')}; captions ${rules.captions}.`,
        `Trigger phrase: ${trainer.trigger}.`,
        '',
        ...table(['PARAMETER', 'TYPE', 'RANGE', 'DEFAULT', 'REQUIRED', 'HELP'],
          trainer.params.map((p) => [p.key, p.type, rangeOf(p), p.default === undefined ? '' : String(p.default), p.required ? 'yes' : '', p.help])),
        '',
        `Set a parameter with: loraworks train --trainer ${trainer.id} --param KEY=VALUE …`,
      ]);
    }));
  program.addCommand(trainers);
}
