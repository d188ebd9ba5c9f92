// Dataset validation: a ≥1 GiB zip of ≥300 captioned images on the local S3 (s3rver), validated by the
// streaming validator beside a baseline that downloads the object whole and opens it with jszip, each in its
// own process with the validator Lambda's Node options. Prints bytes read from S3, peak memory and wall time, and the ratios against the targets:
// bytes read ≤ 1.05 × object size, peak memory < 160 MB, verdict ≥ 5× faster than the baseline.
// BENCH_DATASET_MIB sets the archive size (default 1100 MiB); temp data is removed at the end.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { build } from 'esbuild';
import S3rver from 's3rver';
import { VALIDATOR_NODE_OPTIONS } from '#lib/datasets';

const here = dirname(fileURLToPath(import.meta.url));
const BUCKET = 'bench-datasets';
const MiB = 1024 * 1024;

export async function run(): Promise<void> {
  const targetBytes = Number(process.env.BENCH_DATASET_MIB ?? 1100) * MiB;
  const images = Math.max(300, Math.round(targetBytes / (3.5 * MiB)));
  const dir = await mkdtemp(join(tmpdir(), 'loraworks-bench-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: BUCKET, configs: [] }] });
  try {
    const zipPath = join(dir, 'dataset.zip');
    let t = performance.now();
    await writeDatasetZip(zipPath, images, Math.floor(targetBytes / images));
    const size = (await stat(zipPath)).size;
    console.log(`generated ${images} images, ${(size / MiB).toFixed(0)} MiB zip in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const env = { ...process.env, NODE_OPTIONS: VALIDATOR_NODE_OPTIONS, AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', S3_FORCE_PATH_STYLE: 'true' };
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    t = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'datasets/bench/ds/v1/dataset.zip', Body: createReadStream(zipPath), ContentLength: size }));
    console.log(`uploaded to the local S3 in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await rm(zipPath);

    // Bundled with esbuild and run by plain node, as Lambda runs the handler (no tsx in the process).
    const worker = join(dir, 'worker.cjs');
    await build({ entryPoints: [join(here, 'dataset-validation.worker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node22', outfile: worker, logLevel: 'error' });
    const measure = async (mode: 'stream' | 'baseline' | 'transfer', nodeOptions = VALIDATOR_NODE_OPTIONS) => {
      const { stdout } = await promisify(execFile)(process.execPath, [worker, mode, BUCKET, 'datasets/bench/ds/v1/dataset.zip'], { env: { ...env, NODE_OPTIONS: nodeOptions }, maxBuffer: 1024 * 1024 });
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measured;
    };
    const stream = await measure('stream');
    // The same validator with Node's default young generation, and a GET that only counts the bytes: the
    // fastest any validator can be on this machine, since it must read every byte from the local S3.
    const defaults = await measure('stream', '--enable-source-maps');
    const transfer = await measure('transfer');
    // Past 2 GiB jszip cannot open an archive at all (its offsets are signed 32-bit): say so, keep our figures.
    const baseline = await measure('baseline').catch((error: Error & { stderr?: string }) => {
      const reason = /(RangeError|Error): [^\n]*/.exec(error.stderr ?? '')?.[0] ?? error.message.split('\n')[0];
      console.log(`baseline (download + jszip) failed on this ${(size / MiB).toFixed(0)} MiB archive: ${reason}`);
      return null;
    });
    const row = (m: Measured) => ({
      'bytes read': m.bytesRead, 'read / size': +(m.bytesRead / size).toFixed(4), 'wall s': +(m.wallMs / 1000).toFixed(2),
      'peak RSS': mb(m.peakRss), 'peak heap+buffers': mb(m.peakHeap), 'above idle': mb(m.peakHeap - m.idleHeap), 'idle RSS': mb(m.idleRss),
    });
    console.table({
      'streaming validator': row(stream),
      'same, Node default GC': row(defaults),
      'GET only, no checks (floor)': row(transfer),
      ...(baseline ? { 'baseline (download + jszip)': row(baseline) } : {}),
    });
    const figures = `bytes read ${(stream.bytesRead / size).toFixed(4)} × size (target ≤ 1.05) · peak RSS ${mb(stream.peakRss)} (target < 160 MB)`;
    if (!baseline) {
      console.log(figures);
      return;
    }
    console.log(`verdicts: stream ${JSON.stringify(stream.verdict)}; baseline ${JSON.stringify(baseline.verdict)}`);
    const ratio = (m: Measured) => `${(baseline.wallMs / m.wallMs).toFixed(1)}×`;
    console.log(`${figures} · ${ratio(stream)} faster than the baseline (target ≥ 5×; ${ratio(defaults)} with Node's default GC; a GET with no checks at all is ${ratio(transfer)})`);
  } finally {
    await server.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

type Measured = { wallMs: number; bytesRead: number; peakRss: number; idleRss: number; peakHeap: number; idleHeap: number; verdict: unknown };
const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

/** A stored (zip -n style) archive of PNGs with noisy pixels (so they do not compress) and deflated captions, written as a stream. */
export async function writeDatasetZip(path: string, count: number, bytesPerImage: number): Promise<void> {
  const out = createWriteStream(path);
  const central: Buffer[] = [];
  let offset = 0;
  const noise = randomBytes(bytesPerImage + 4096);
  const side = Math.max(256, Math.floor(Math.sqrt(bytesPerImage / 3)));
  for (let i = 0; i < count; i++) {
    const png = noisyPng(side, side, noise, i);
    offset = await entry(out, central, offset, `images/photo-${String(i).padStart(4, '0')}.png`, png, png, 0);
    const caption = Buffer.from(`a photo of [trigger], number ${i}, in soft light`);
    offset = await entry(out, central, offset, `images/photo-${String(i).padStart(4, '0')}.txt`, caption, deflateRawSync(caption), 8);
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count * 2, 8);
  end.writeUInt16LE(count * 2, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  await write(out, Buffer.concat([dir, end]));
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function entry(out: WriteStream, central: Buffer[], offset: number, name: string, data: Buffer, body: Buffer, method: number): Promise<number> {
  const nameBytes = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x800, 6); local.writeUInt16LE(method, 8);
  local.writeUInt32LE(crc, 14); local.writeUInt32LE(body.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(nameBytes.length, 26);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(0x031e, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(0x800, 8); cd.writeUInt16LE(method, 10);
  cd.writeUInt32LE(crc, 16); cd.writeUInt32LE(body.length, 20); cd.writeUInt32LE(data.length, 24); cd.writeUInt16LE(nameBytes.length, 28);
  cd.writeUInt32LE(offset, 42);
  central.push(cd, nameBytes);
  await write(out, Buffer.concat([local, nameBytes]));
  await write(out, body);
  return offset + 30 + nameBytes.length + body.length;
}

function write(out: WriteStream, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => (out.write(chunk, (error) => (error ? reject(error) : resolve()))));
}

/** A truecolour PNG whose pixel rows come from `noise` (offset per image), deflated at level 0 so generation is fast. */
function noisyPng(width: number, height: number, noise: Buffer, seed: number): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) noise.copy(raw, y * stride + 1, (y * stride + seed * 7) % 4096, (y * stride + seed * 7) % 4096 + width * 3);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0); header.writeUInt32BE(height, 4); header.set([8, 2, 0, 0, 0], 8);
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4); length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 0 })), chunk('IEND', Buffer.alloc(0))]);
}
