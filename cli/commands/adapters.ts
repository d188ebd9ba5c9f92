// adapters, adapters register JOB --name NAME, adapters remove ID: the registered LoRAs.
import type { Command } from 'commander';
import { command, contextOf, type CommonOptions } from '#cli/command';
import { formatBytes, table } from '#cli/output';

export function adaptersCommand(program: Command): void {
  const adapters = command('adapters', 'List your registered LoRAs (or use a subcommand)')
    .action(async (options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const list = await client.call('list-adapters');
      ctx.out.result(list, () => list.adapters.length === 0 ? 'No registered LoRAs: loraworks adapters register JOB --name NAME.'
        : table(['ID', 'NAME', 'TRAINER', 'TRIGGER', 'FILE', 'SIZE', 'CREATED'],
          list.adapters.map((a) => [a.id, a.name, a.trainerId, a.triggerPhrase, a.artifacts.map((f) => f.name).join(', '), formatBytes(a.artifacts.reduce((sum, f) => sum + f.sizeBytes, 0)), a.createdAt])));
    });

  adapters.addCommand(command('register', 'Register a completed job\'s LoRA under a name')
    .argument('<job>', 'the completed job id')
    .requiredOption('--name <name>', 'the name you will recognise in your generator')
    .action(async (jobId: string, options: CommonOptions & { name: string }) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const adapter = await client.call('create-adapter', { body: { jobId, name: options.name } });
      ctx.out.result(adapter, () => `Registered ${adapter.id} "${adapter.name}" (${adapter.artifacts.map((f) => f.name).join(', ')}, trigger "${adapter.triggerPhrase ?? ''}").`);
    }));

  adapters.addCommand(command('remove', 'Unregister a LoRA (the job and its file stay)')
    .argument('<id>', 'the adapter id')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      await client.call('delete-adapter', { params: { adapterId: id } });
      ctx.out.result({ removed: id }, () => `Removed adapter ${id}.`);
    }));
  program.addCommand(adapters);
}
