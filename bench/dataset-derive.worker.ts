// One measured step of bench/dataset-derive.bench.ts in its own process, so its peak memory is its own:
// `post` re-uploads the synthetic dataset as a browser does (a presigned POST, the form streamed); `validate`
// runs the validator on an object; `derive` builds the edited version's zip from its source the way the derive
// function does (ranged GETs of the source, derivedZip, S3 multipart) — the use case minus its DynamoDB claim.
// Prints one JSON line: wall time, bytes read from S3, peak RSS and peak JS heap + buffers, and a verdict.
import { Readable } from 'node:stream';
import { s3ArchiveSource } from '#adapters/archive-source';
import { presignUpload, uploadStream } from '#adapters/blob-store';
import { inspectArchive } from '#domain/archive-inspection';
import { derivedZip, type DeriveStats } from '#domain/derived-zip';
import { fallbackTrainers } from '#domain/trainer-catalog';
import { syntheticDatasetZip } from '#support/synthetic-zip';

async function main() {
  const [mode, bucket, key, arg] = process.argv.slice(2) as [string, string, string, string];
  const idleRss = process.memoryUsage().rss;
  const heap = () => { const m = process.memoryUsage(); return m.heapUsed + m.external; };
  const idleHeap = heap();
  let peakHeap = idleHeap;
  const sampler = setInterval(() => { peakHeap = Math.max(peakHeap, heap()); }, 50);
  let started = performance.now();
  let bytesRead = 0;
  let verdict: unknown;
  if (mode === 'post') {
    const { images, bytesPerImage } = JSON.parse(arg) as { images: number; bytesPerImage: number };
    const zip = syntheticDatasetZip({ images, bytesPerImage });
    started = performance.now(); // the browser has the file already: its layout is not the upload's time
    const upload = await presignUpload(bucket, key, zip.size);
    const boundary = `----loraworks${Date.now()}`;
    const head = Buffer.from(Object.entries(upload.fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('')
      + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="dataset.zip"\r\nContent-Type: application/zip\r\n\r\n`);
    const foot = Buffer.from(`\r\n--${boundary}--\r\n`);
    const parts = (function* () { yield head; yield* zip.chunks(0, zip.size); yield foot; })();
    // Pulled as the socket takes it (a browser streams a File the same way).
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.next();
        if (next.done) controller.close();
        else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      },
    }, { highWaterMark: 0 });
    const response = await fetch(upload.url, {
      method: 'POST', body, duplex: 'half',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + zip.size + foot.length) },
    } as RequestInit);
    verdict = { status: response.status, sent: zip.size };
    await response.text();
  } else if (mode === 'validate') {
    const source = await s3ArchiveSource(bucket, key);
    const { report, sha256 } = await inspectArchive(source, fallbackTrainers);
    bytesRead = source.stats.bytesRead;
    verdict = { images: report.images, captions: report.captions, errors: report.errors.length, size: source.size, sha256: sha256.slice(0, 12) };
  } else {
    const { to, captions } = JSON.parse(arg) as { to: string; captions: Record<string, string> };
    const source = await s3ArchiveSource(bucket, key);
    const stats: DeriveStats = { copiedEntries: 0, writtenCaptions: 0, droppedEntries: 0, runs: 0 };
    const body = Readable.from(derivedZip(source, null, { captions, remove: [] }, new Date(), stats), { objectMode: false });
    if (mode === 'derive-no-upload') {
      for await (const _ of body);
    } else await uploadStream(bucket, to, body, 'application/zip');
    bytesRead = source.stats.bytesRead;
    verdict = { ...stats, requests: source.stats.requests };
  }
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, heap());
  console.log(JSON.stringify({ mode, wallMs, bytesRead, peakRss: process.resourceUsage().maxRSS * 1024, idleRss, peakHeap, idleHeap, verdict }));
}

void main();
