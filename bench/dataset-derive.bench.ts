// Versions made from edits: time and peak memory to derive a new version of a 1 GiB dataset with 10 caption
// edits (POST /datasets/{id}/versions → the derive function → the validator), beside re-uploading the same
// 1 GiB (a presigned POST to the local S3 → the validator), in the same run, on s3rver. Each step runs in its own
// process with the validator Lambda's Node options (the derive function has the same), so its peak memory is
// its own. The dataset is the tests' synthetic zip (test/support/synthetic-zip.ts), put on the local S3 once.
// BENCH_DATASET_MIB sets the archive size (default 1024 MiB); temp data is removed at the end.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import S3rver from 's3rver';
import { syntheticDatasetZip, syntheticImageName } from '#support/synthetic-zip';
import { VALIDATOR_NODE_OPTIONS } from '#lib/datasets';

const here = dirname(fileURLToPath(import.meta.url));
const BUCKET = 'bench-datasets';
const MiB = 1024 * 1024;
const SOURCE = 'validated/bench/ds/v1/dataset.zip';
const DERIVED = 'datasets/bench/ds/v2/dataset.zip';
const REUPLOADED = 'datasets/bench/ds/v3/dataset.zip';

type Measured = { wallMs: number; bytesRead: number; peakRss: number; idleRss: number; peakHeap: number; idleHeap: number; verdict: Record<string, unknown> };

export async function run(): Promise<void> {
  const targetBytes = Number(process.env.BENCH_DATASET_MIB ?? 1024) * MiB;
  const images = 300;
  const layout = { images, bytesPerImage: Math.floor(targetBytes / images) };
  const zip = syntheticDatasetZip(layout);
  const captions = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [syntheticImageName(k * 29), `a photo of [trigger], caption edited ${k}`]));
  const request = JSON.stringify({ from: 1, captions });
  const dir = await mkdtemp(join(tmpdir(), 'loraworks-bench-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: BUCKET, configs: [] }] });
  try {
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const t = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: SOURCE, Body: Readable.from(zip.chunks(0, zip.size), { objectMode: false }), ContentLength: zip.size }));
    console.log(`source: ${images} captioned images, ${(zip.size / MiB).toFixed(0)} MiB, put on the local S3 in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const worker = join(dir, 'worker.cjs');
    await build({ entryPoints: [join(here, 'dataset-derive.worker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node22', outfile: worker, logLevel: 'error' });
    const env = { ...process.env, NODE_OPTIONS: VALIDATOR_NODE_OPTIONS, AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', S3_FORCE_PATH_STYLE: 'true', DATASETS_BUCKET: BUCKET };
    const measure = async (mode: 'post' | 'validate' | 'derive' | 'derive-no-upload', key: string, arg = '') => {
      const { stdout } = await promisify(execFile)(process.execPath, [worker, mode, BUCKET, key, arg], { env, maxBuffer: 1024 * 1024 });
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measured;
    };

    const derive = await measure('derive', SOURCE, JSON.stringify({ to: DERIVED, captions }));
    // The same derive writing nowhere: what reading the source and composing the zip cost, without s3rver's multipart.
    const composeOnly = await measure('derive-no-upload', SOURCE, JSON.stringify({ to: DERIVED, captions }));
    const validateDerived = await measure('validate', DERIVED);
    const post = await measure('post', REUPLOADED, JSON.stringify(layout));
    const validateUpload = await measure('validate', REUPLOADED);
    const row = (m: Measured) => ({ 'wall s': +(m.wallMs / 1000).toFixed(2), 'read from S3': mib(m.bytesRead), 'peak RSS': mb(m.peakRss), 'heap+buffers above idle': mb(m.peakHeap - m.idleHeap) });
    console.table({
      'derive (10 caption edits)': row(derive),
      '  same, output discarded (no upload)': row(composeOnly),
      '  then validate the derived zip': row(validateDerived),
      [`re-upload: presigned POST of ${mib(zip.size)}`]: row(post),
      '  then validate the upload': row(validateUpload),
    });
    console.log(`derive: ${JSON.stringify(derive.verdict)}; derived zip ${JSON.stringify(validateDerived.verdict)}; re-upload ${JSON.stringify(post.verdict)} → ${JSON.stringify(validateUpload.verdict)}`);
    const edited = derive.wallMs + validateDerived.wallMs;
    const reuploaded = post.wallMs + validateUpload.wallMs;
    console.log(`a new version from 10 caption edits: ${(edited / 1000).toFixed(1)} s (derive ${(derive.wallMs / 1000).toFixed(1)} s + validation), client sends ${request.length} bytes, deriver peak RSS ${mb(derive.peakRss)}`);
    console.log(`re-uploading the same ${(zip.size / MiB).toFixed(0)} MiB: ${(reuploaded / 1000).toFixed(1)} s (POST ${(post.wallMs / 1000).toFixed(1)} s on loopback + validation), client sends ${zip.size} bytes`);
    const uplink = 50e6 / 8; // 50 Mbit/s, a common home uplink
    console.log(`ratio: re-upload / derive = ${(reuploaded / edited).toFixed(2)}× here on loopback; at 50 Mbit/s the POST alone would take ${(zip.size / uplink / 60).toFixed(1)} min (≈ ${((zip.size / uplink * 1000 + validateUpload.wallMs) / edited).toFixed(0)}× the derive)`);
  } finally {
    await server.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`;
