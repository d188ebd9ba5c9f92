// One measured validation in its own process, so its peak memory is its own: `stream` is the validator the
// handler runs (directory by ranged GETs, one streamed GET); `baseline` downloads the object whole and opens it
// with jszip; `transfer` only streams the object through (the floor for any validator). Prints one JSON line: wall time, bytes read from S3, peak RSS and peak JS heap + buffers.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import JSZip from 'jszip';
import { createHash } from 'node:crypto';
import { s3ArchiveSource } from '#adapters/archive-source';
import { inspectArchive } from '#domain/archive-inspection';
import { sniffMedia } from '#domain/media-sniff';
import { fallbackTrainers } from '#domain/trainer-catalog';

async function main() {
const [mode, bucket, key] = process.argv.slice(2) as [string, string, string];
const idleRss = process.memoryUsage().rss;
const idleHeap = (() => { const m = process.memoryUsage(); return m.heapUsed + m.external + m.arrayBuffers; })();
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed + m.external + m.arrayBuffers);
};
const sampler = setInterval(sample, 100);

const started = performance.now();
let bytesRead = 0;
let verdict: unknown;
if (mode === 'stream') {
  const source = await s3ArchiveSource(bucket, key);
  const { report, sha256 } = await inspectArchive(source, fallbackTrainers);
  bytesRead = source.stats.bytesRead;
  verdict = { images: report.images, pairs: report.pairs, errors: report.errors.length, sha256: sha256.slice(0, 12), requests: source.stats.requests };
} else if (mode === 'transfer') {
  const { Body } = await new S3Client({ forcePathStyle: true }).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  for await (const chunk of Body as AsyncIterable<Buffer>) bytesRead += chunk.length;
  verdict = null;
} else {
  const s3 = new S3Client({ forcePathStyle: true });
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const chunks: Buffer[] = [];
  for await (const chunk of Body as AsyncIterable<Buffer>) { chunks.push(chunk); bytesRead += chunk.length; sample(); }
  const whole = Buffer.concat(chunks);
  chunks.length = 0;
  // One update takes at most 2 GiB, so the whole object is hashed in slices.
  const hash = createHash('sha256');
  for (let at = 0; at < whole.length; at += 1024 ** 3) hash.update(whole.subarray(at, at + 1024 ** 3));
  const sha256 = hash.digest('hex');
  const zip = await JSZip.loadAsync(whole, { checkCRC32: true });
  let images = 0;
  for (const file of Object.values(zip.files)) {
    if (file.dir) continue;
    const bytes = await file.async('nodebuffer');
    sample();
    if (sniffMedia(bytes.subarray(0, 128 * 1024))) images += 1;
  }
  verdict = { images, sha256: sha256.slice(0, 12) };
}
const wallMs = performance.now() - started;
clearInterval(sampler);
sample();
console.log(JSON.stringify({ mode, wallMs, bytesRead, peakRss: process.resourceUsage().maxRSS * 1024, idleRss, peakHeap, idleHeap, verdict }));
}

void main();
