// datasets, datasets create NAME, datasets upload ID FILE|DIR [--wait], datasets show ID.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { Dataset, DatasetVersion, Finding } from '#domain/schemas';
import { CreateUploadRequest } from '#domain/schemas';
import { command, contextOf, type CommonOptions, type Context } from '#cli/command';
import { EXIT, failure, usageError, CliError } from '#cli/errors';
import { follow } from '#cli/follow';
import { formatBytes, table } from '#cli/output';
import { postFile } from '#cli/upload';
import { folderFiles, zipFolderSize, zipFolderStream, zipNameFor } from '#cli/zip-folder';

const SETTLED: DatasetVersion['status'][] = ['READY', 'INVALID'];

const findingLine = (kind: string, f: Finding) => `  ${kind} ${f.code}${f.file ? ` (${f.file})` : ''}: ${f.message}`;

/** The validation report as a person reads it. */
export function reportLines(datasetId: string, version: DatasetVersion): string[] {
  const lines = [`Dataset ${datasetId} version ${version.version}: ${version.status}`];
  const report = version.report;
  if (report) {
    const size = report.minWidth !== undefined ? `, ${report.minWidth}x${report.minHeight} to ${report.maxWidth}x${report.maxHeight}` : '';
    lines.push(`  ${report.images} images, ${report.videos} videos, ${report.captions} captions, ${report.pairs} captioned${size}`);
    lines.push(...report.errors.map((f) => findingLine('error', f)), ...report.warnings.map((f) => findingLine('warning', f)));
    if (report.fitsTrainers?.length) lines.push(`  fits: ${report.fitsTrainers.join(', ')}`);
  }
  return lines;
}

const versionRows = (versions: DatasetVersion[]) => table(['VERSION', 'STATUS', 'SIZE', 'SOURCE', 'ERRORS', 'WARNINGS', 'CREATED'],
  versions.map((v) => [v.version, v.status, formatBytes(v.sizeBytes), v.source, v.report?.errors.length ?? '', v.report?.warnings.length ?? '', v.createdAt]));

/** Follows one version until it is READY or INVALID, live over the WebSocket. */
export async function waitForVersion(ctx: Context, datasetId: string, version: number): Promise<DatasetVersion> {
  const { client, wsUrl, token } = await ctx.connection();
  let last: DatasetVersion['status'] | undefined;
  return follow<DatasetVersion>({
    wsUrl, token,
    refetch: async () => {
      const dataset = await client.call('get-dataset', { params: { datasetId } });
      const found = dataset.versions?.find((v) => v.version === version);
      if (!found) throw failure(`Dataset ${datasetId} has no version ${version}.`);
      return found;
    },
    fromMessage: (m) => (m.type === 'dataset' && m.datasetId === datasetId && m.version.version === version ? m.version : undefined),
    isDone: (v) => SETTLED.includes(v.status),
    onState: (v) => {
      if (v.status !== last && v.status === 'VALIDATING') ctx.out.note(`Version ${version}: ${v.status.toLowerCase()}…`);
      last = v.status;
    },
    onLink: (state) => ctx.out.note(state === 'open' ? 'Live updates are back.' : 'Live updates dropped; reconnecting…'),
  });
}

interface Source {
  fileName: string;
  size: number;
  open: () => import('node:stream').Readable;
  what: string;
}

async function sourceOf(path: string): Promise<Source> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw usageError(`${path} does not exist. Give a .zip file or a folder of images and captions.`);
  if (info.isDirectory()) {
    const files = await folderFiles(path);
    const size = await zipFolderSize(files);
    return { fileName: zipNameFor(path), size, open: () => zipFolderStream(files), what: `${files.length} files of ${path}, zipped` };
  }
  const fileName = basename(path);
  const named = CreateUploadRequest.shape.fileName.safeParse(fileName);
  if (!named.success) throw usageError(`${path}: ${named.error.issues[0]?.message ?? 'not a .zip file name'} Give a .zip file or a folder.`);
  if (info.size === 0) throw usageError(`${path} is empty.`);
  return { fileName, size: info.size, open: () => createReadStream(path), what: path };
}

export function datasetsCommand(program: Command): void {
  const datasets = command('datasets', 'List your datasets (or use a subcommand)')
    .action(async (options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const list = await client.call('list-datasets');
      ctx.out.result(list, () => list.datasets.length === 0 ? 'No datasets yet: loraworks datasets create NAME.'
        : table(['ID', 'NAME', 'LATEST VERSION', 'CREATED'], list.datasets.map((d) => [d.id, d.name, d.latestVersion ?? '', d.createdAt])));
    });

  datasets.addCommand(command('create', 'Create a dataset')
    .argument('<name>', 'a name you will recognise')
    .action(async (name: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const dataset = await client.call('create-dataset', { body: { name } });
      ctx.out.result(dataset, () => `Created dataset ${dataset.id} "${dataset.name}". Upload to it: loraworks datasets upload ${dataset.id} ./my-images`);
    }));

  datasets.addCommand(command('upload', 'Upload a .zip, or a folder of images and captions (zipped on the fly), as a new version')
    .argument('<id>', 'the dataset id')
    .argument('<path>', 'a .zip file or a folder')
    .option('--wait', 'wait for the validation and print its report; exit 1 when the version is INVALID')
    .action(async (id: string, path: string, options: CommonOptions & { wait?: boolean }) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const source = await sourceOf(path);
      const { version, upload } = await client.call('create-upload', { params: { datasetId: id }, body: { fileName: source.fileName, sizeBytes: source.size, source: 'cli' } });
      ctx.out.note(`Uploading ${source.what} (${formatBytes(source.size)}) as version ${version} of ${id}…`);
      const bar = ctx.out.bytesBar(source.size, 'Upload');
      try {
        await postFile(upload, source.open(), source.size, source.fileName, (sent) => bar.update(sent));
      } finally {
        bar.stop();
      }
      if (!options.wait) {
        ctx.out.result({ datasetId: id, version, fileName: source.fileName, sizeBytes: source.size, status: 'VALIDATING' },
          () => `Uploaded version ${version}; it is being validated. See it with: loraworks datasets show ${id}`);
        return;
      }
      const settled = await waitForVersion(ctx, id, version);
      ctx.out.result({ datasetId: id, ...settled }, () => reportLines(id, settled));
      if (settled.status === 'INVALID') {
        throw new CliError(EXIT.failed, `Version ${version} is INVALID: ${settled.report?.errors.map((f) => f.message).join(' ') || 'see the report above.'}`);
      }
    }));

  datasets.addCommand(command('show', 'A dataset with its versions and their validation reports')
    .argument('<id>', 'the dataset id')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const dataset: Dataset = await client.call('get-dataset', { params: { datasetId: id } });
      const versions = dataset.versions ?? [];
      const latest = versions.find((v) => v.version === dataset.latestVersion) ?? versions.at(-1);
      ctx.out.result(dataset, () => [
        `${dataset.name} (${dataset.id}), created ${dataset.createdAt}`,
        ...(versions.length ? versionRows(versions) : ['No versions yet.']),
        ...(latest ? ['', ...reportLines(dataset.id, latest)] : []),
      ]);
    }));
  program.addCommand(datasets);
}
