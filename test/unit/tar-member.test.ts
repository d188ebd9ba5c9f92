import { execFileSync } from 'node:child_process';
import { pipeline, Readable, Writable } from 'node:stream';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMember, tarEnd, tarHeader, tarMember, tarPadding } from '#domain/tar-member';

/** Feeds bytes in chunks of the given size, as a download would arrive. */
async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.subarray(offset, offset + size);
}

async function extract(archive: Uint8Array, member: string, chunkSize = 7_001): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of tarMember(member)(chunks(archive, chunkSize))) parts.push(part);
  return Buffer.concat(parts);
}

const pattern = (size: number, seed: number) => Buffer.from(Array.from({ length: size }, (_, index) => (index * 31 + seed) & 0xff));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tar-member-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A tar made by GNU tar from files laid out as Replicate's flux trainer lays them out. */
async function gnuTar(files: Record<string, Buffer>, format: 'gnu' | 'pax' | 'ustar'): Promise<Uint8Array> {
  const root = await mkdtemp(join(dir, 'src-'));
  for (const [name, data] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), data);
  }
  const out = join(root, '..', `${format}-${Date.now()}.tar`);
  execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', root, ...Object.keys(files)]);
  return new Uint8Array(await readFile(out));
}

describe('extracting the LoRA from a trainer\'s tar archive', () => {
  const lora = pattern(100_003, 7);
  const config = Buffer.from('{"job": "flux_train_replicate"}');

  it.each(['gnu', 'pax', 'ustar'] as const)('streams lora.safetensors out of a %s archive made by GNU tar', async (format) => {
    const archive = await gnuTar({
      'output/flux_train_replicate/config.yaml': config,
      'output/flux_train_replicate/lora.safetensors': lora,
      'output/flux_train_replicate/captions/a.txt': Buffer.from('a photo of TOK'),
    }, format);
    expect((await extract(archive, 'lora.safetensors')).equals(lora)).toBe(true);
    expect((await extract(archive, 'output/flux_train_replicate/config.yaml', 1)).equals(config)).toBe(true);
  });

  it('reads long member names (GNU long-name and pax path records)', async () => {
    const deep = `${'very-long-folder-name/'.repeat(6)}lora.safetensors`;
    for (const format of ['gnu', 'pax'] as const) {
      const archive = await gnuTar({ [deep]: lora }, format);
      expect((await extract(archive, 'lora.safetensors', 512)).equals(lora), format).toBe(true);
    }
  });

  it('reads an archive built by tarHeader, delivered one byte at a time', async () => {
    const data = pattern(1_000, 3);
    const archive = Buffer.concat([tarHeader('lora.safetensors', data.byteLength), data, tarPadding(data.byteLength), tarEnd()]);
    expect(execFileSync('tar', ['-tvf', '-'], { input: archive }).toString()).toContain('lora.safetensors');
    expect((await extract(archive, 'lora.safetensors', 1)).equals(data)).toBe(true);
  });

  it('says which files the archive holds when the member is missing', async () => {
    const archive = await gnuTar({ 'out/config.yaml': config }, 'gnu');
    await expect(extract(archive, 'lora.safetensors')).rejects.toThrow('The archive has no lora.safetensors. It holds out/config.yaml.');
  });

  it('refuses what is not a plain tar, and an archive cut short', async () => {
    await expect(extract(new Uint8Array(1024).fill(65), 'lora.safetensors')).rejects.toThrow('The file is not a tar archive.');
    const gz = new Uint8Array(600);
    gz.set([0x1f, 0x8b]);
    await expect(extract(gz, 'lora.safetensors')).rejects.toThrow(/gzip-compressed/);
    const archive = await gnuTar({ 'lora.safetensors': lora }, 'ustar');
    await expect(extract(archive.subarray(0, 20_000), 'lora.safetensors')).rejects.toThrow('The archive ended in the middle of a file.');
  });

  it('works as a stage of stream.pipeline, as collect uses it', async () => {
    const archive = await gnuTar({ 'output/flux_train_replicate/lora.safetensors': lora, 'output/x.yaml': config }, 'gnu');
    const received: Buffer[] = [];
    const sink = new Writable({ write(chunk, _encoding, callback) { received.push(chunk); callback(); } });
    await new Promise<void>((resolve, reject) => pipeline(Readable.from(chunks(archive, 4096)), tarMember('lora.safetensors'), sink, (error) => (error ? reject(error) : resolve())));
    expect(Buffer.concat(received).equals(lora)).toBe(true);
    const failing = new Writable({ write(_chunk, _encoding, callback) { callback(); } });
    await expect(new Promise<void>((resolve, reject) => pipeline(Readable.from(chunks(archive, 4096)), tarMember('missing.safetensors'), failing, (error) => (error ? reject(error) : resolve()))))
      .rejects.toThrow('The archive has no missing.safetensors.');
  });

  it('matches a member by exact path or base name only', () => {
    expect(isMember('output/flux_train_replicate/lora.safetensors', 'lora.safetensors')).toBe(true);
    expect(isMember('./lora.safetensors', 'lora.safetensors')).toBe(true);
    expect(isMember('output/not-lora.safetensors', 'lora.safetensors')).toBe(false);
  });
});
