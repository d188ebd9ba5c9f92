// adapters, adapters register JOB --name NAME, adapters import FILE --name NAME, adapters show ID,
// adapters download ID [--file NAME], adapters remove ID: the registered (and imported) LoRAs.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { command, contextOf, type CommonOptions, type Context } from '#cli/command';
import { CliError, EXIT, usageError } from '#cli/errors';
import { follow } from '#cli/follow';
import { formatBytes, table } from '#cli/output';
import { postFile } from '#cli/upload';
import { usageSnippets } from '#domain/adapter-usage';
import { IMPORT_MAX_BYTES, IMPORT_MAX_RULE } from '#domain/lora-import';
import { adapterFiles } from '#domain/lora-registry';
import { type Adapter, CreateAdapterImportRequest } from '#domain/schemas';
import { zodDetails } from '#domain/errors';
import { downloadVerified } from './download';

async function adapterById(ctx: Context, id: string): Promise<Adapter> {
  const { client } = await ctx.connection();
  const adapter = (await client.call('list-adapters')).adapters.find((a) => a.id === id);
  if (!adapter) throw usageError(`You have no adapter ${id}; \`loraworks adapters\` lists yours.`);
  return adapter;
}

/** The adapter's files' download links, when it has usable files (READY or registered from a job). */
async function linksOf(ctx: Context, adapter: Adapter): Promise<Record<string, string>> {
  if (adapter.status === 'CHECKING' || adapter.status === 'INVALID') return {};
  const { client } = await ctx.connection();
  const links = await Promise.all(adapterFiles(adapter).map(async (f) =>
    [f.name, (await client.call('get-adapter-artifact', { params: { adapterId: adapter.id, name: f.name } })).url] as const));
  return Object.fromEntries(links);
}

const statusWord = (a: Adapter) => a.status ?? 'READY';

export function adaptersCommand(program: Command): void {
  const adapters = command('adapters', 'List your registered LoRAs (or use a subcommand)')
    .action(async (options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const list = await client.call('list-adapters');
      ctx.out.result(list, () => list.adapters.length === 0 ? 'No registered LoRAs: loraworks adapters register JOB --name NAME.'
        : table(['ID', 'NAME', 'SOURCE', 'STATUS', 'TRAINER', 'TRIGGER', 'FILES', 'SIZE', 'CREATED'],
          list.adapters.map((a) => [a.id, a.name, a.source, statusWord(a), a.trainerId, a.triggerPhrase, a.artifacts.map((f) => f.name).join(', '), formatBytes(a.artifacts.reduce((sum, f) => sum + f.sizeBytes, 0)), a.createdAt])));
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

  adapters.addCommand(command('import', 'Import a .safetensors LoRA trained elsewhere; waits for its check')
    .argument('<file>', 'the .safetensors file')
    .requiredOption('--name <name>', 'the name you will recognise in your generator')
    .option('--trainer <id>', 'the trainer (or base model) it was trained with')
    .option('--trigger <phrase>', 'its trigger phrase (default: read from the file\'s metadata)')
    .option('--no-wait', 'return once the file is up, without waiting for the check')
    .action(async (file: string, options: CommonOptions & { name: string; trainer?: string; trigger?: string; wait: boolean }) => {
      const ctx = contextOf(options);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw usageError(`${file} is not a file. Give the path of the .safetensors LoRA to import.`);
      if (info.size > IMPORT_MAX_BYTES) throw usageError(`${file} is ${formatBytes(info.size)}. ${IMPORT_MAX_RULE}`);
      const request = CreateAdapterImportRequest.safeParse({
        name: options.name, fileName: basename(file), sizeBytes: info.size,
        ...(options.trainer ? { trainerId: options.trainer } : {}), ...(options.trigger ? { triggerPhrase: options.trigger } : {}),
      });
      if (!request.success) throw usageError('The import is not valid; nothing was sent.', zodDetails(request.error));
      const { client, token, wsUrl } = await ctx.connection();
      const { adapterId, upload } = await client.call('create-adapter-import', { body: request.data });
      const bar = ctx.out.bytesBar(info.size, 'Upload');
      try {
        await postFile(upload, createReadStream(file), info.size, basename(file), (sent) => bar.update(sent));
      } finally {
        bar.stop();
      }
      if (!options.wait) {
        ctx.out.result({ adapterId, status: 'CHECKING' }, () => `Uploaded ${basename(file)} as adapter ${adapterId}; it is being checked (\`loraworks adapters show ${adapterId}\`).`);
        return;
      }
      ctx.out.note(`Uploaded ${basename(file)}; checking it…`);
      const adapter = await follow<Adapter>({
        wsUrl, token,
        refetch: () => adapterById(ctx, adapterId),
        fromMessage: (m) => (m.type === 'adapter' && m.adapter.id === adapterId ? m.adapter : undefined),
        isDone: (a) => a.status !== 'CHECKING',
        onState: () => {},
      });
      if (adapter.status === 'INVALID') {
        throw new CliError(EXIT.failed, `${basename(file)} was refused: ${adapter.error?.message ?? 'it is not a LoRA'}`);
      }
      ctx.out.result(adapter, () => `Imported ${adapter.id} "${adapter.name}" (${adapter.artifacts.map((f) => `${f.name}, sha256 ${f.sha256}`).join('; ')}${adapter.triggerPhrase ? `, trigger "${adapter.triggerPhrase}"` : ''}).`);
    }));

  adapters.addCommand(command('show', 'An adapter: its files, trigger phrase and ready-to-paste usage snippets')
    .argument('<id>', 'the adapter id')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const adapter = await adapterById(ctx, id);
      const links = await linksOf(ctx, adapter);
      const snippets = usageSnippets(adapterFiles(adapter), links, adapter.triggerPhrase);
      ctx.out.result({ adapter, links, snippets }, () => [
        `${adapter.name} (${adapter.id}) · ${adapter.source} · ${statusWord(adapter)}${adapter.trainerId ? ` · ${adapter.trainerId}` : ''}`,
        ...(adapter.error ? [`Refused: ${adapter.error.message}`] : []),
        `Trigger phrase: ${adapter.triggerPhrase || '(none)'}`,
        ...adapterFiles(adapter).map((f) => `  ${f.name}  ${f.role}  ${formatBytes(f.sizeBytes)}  sha256 ${f.sha256}`),
        ...(Object.keys(links).length ? ['', 'fal.ai "loras" input (links valid 15 minutes):', snippets.fal, '', 'Prompt syntax:', snippets.prompt] : []),
      ]);
    }));

  adapters.addCommand(command('download', 'Download an adapter\'s LoRA (or one of its files) and check its sha256')
    .argument('<id>', 'the adapter id')
    .option('--file <name>', 'one of its files by name, as `adapters show` lists them (default: its main LoRA)')
    .option('--out <path>', 'a file name, or a folder to write into (default: the file\'s own name, here)')
    .action(async (id: string, options: CommonOptions & { file?: string; out?: string }) => {
      const ctx = contextOf(options);
      const adapter = await adapterById(ctx, id);
      const name = options.file ?? adapterFiles(adapter)[0]?.name;
      if (!name) throw usageError(`${adapter.name} has no file yet (${statusWord(adapter)}).`);
      const { client } = await ctx.connection();
      const link = await client.call('get-adapter-artifact', { params: { adapterId: id, name } });
      const { path, bytes, sha256 } = await downloadVerified(ctx, link, options.out, `adapter ${id}`);
      ctx.out.result({ adapterId: id, path, fileName: link.fileName, sizeBytes: bytes, sha256, verified: true },
        () => `Wrote ${path} (${bytes} bytes); its sha256 ${sha256} matches.`);
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
