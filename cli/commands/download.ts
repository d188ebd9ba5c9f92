// download JOB [--file NAME] [--out PATH]: the job's LoRA (or a file it lists) streamed to a file, its sha256 checked against the API's before the
// file takes its name.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { command, contextOf, type CommonOptions, type Context } from '#cli/command';
import type { ArtifactLink } from '#domain/schemas';
import { CliError, EXIT, failure } from '#cli/errors';

/** Where the file goes: --out as a file, or into --out when it is a folder, else the API's file name here. */
export async function targetPath(fileName: string, out: string | undefined): Promise<string> {
  const plain = basename(fileName.replace(/\\/g, '/')) || 'lora.safetensors';
  if (!out) return resolve(plain);
  const info = await stat(out).catch(() => undefined);
  return info?.isDirectory() ? resolve(join(out, plain)) : resolve(out);
}

export function downloadCommand(program: Command): void {
  program.addCommand(command('download', 'Download a completed job\'s LoRA (or any of its files) and check its sha256')
    .argument('<job>', 'the job id')
    .option('--file <name>', 'one of the job\'s files by name, as `jobs show` lists them (default: its LoRA)')
    .option('--out <path>', 'a file name, or a folder to write into (default: the file\'s own name, here)')
    .action(async (jobId: string, options: CommonOptions & { out?: string; file?: string }) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      const link = options.file
        ? await client.call('get-job-artifact', { params: { jobId, name: options.file } })
        : await client.call('get-artifact', { params: { jobId } });
      const { path, bytes, sha256 } = await downloadVerified(ctx, link, options.out, `job ${jobId}`);
      ctx.out.result({ jobId, path, fileName: link.fileName, sizeBytes: bytes, sha256, verified: true },
        () => `Wrote ${path} (${bytes} bytes); its sha256 ${sha256} matches.`);
    }));
}

/** Streams a presigned link to a file, hashing on the way; the file takes its name only when size and sha256 match. */
export async function downloadVerified(ctx: Context, link: ArtifactLink, out: string | undefined, what: string): Promise<{ path: string; bytes: number; sha256: string }> {
  const path = await targetPath(link.fileName, out);
  const partial = `${path}.part`;
  let res: Response;
  try {
    res = await fetch(link.url);
  } catch (error) {
    throw failure(`The download could not start: ${(error as Error).message}. Try again.`);
  }
  if (!res.ok || !res.body) throw failure(`Storage answered ${res.status} for ${link.fileName} of ${what}. Run the download again for a fresh link.`);
  const hash = createHash('sha256');
  let bytes = 0;
  const bar = ctx.out.bytesBar(link.sizeBytes, 'Download');
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      bar.update(bytes);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), count, createWriteStream(partial, { mode: 0o644 }));
  } catch (error) {
    await rm(partial, { force: true });
    throw failure(`The download broke off after ${bytes} bytes: ${(error as Error).message}. Try again.`);
  } finally {
    bar.stop();
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== link.sha256 || bytes !== link.sizeBytes) {
    await rm(partial, { force: true });
    throw new CliError(EXIT.failed, `The downloaded file does not match: sha256 ${sha256} (${bytes} bytes), expected ${link.sha256} (${link.sizeBytes} bytes). Nothing was kept; try again.`);
  }
  await rename(partial, path);
  return { path, bytes, sha256 };
}
