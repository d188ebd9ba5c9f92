// The derive function on a ≥ 1 GiB version (issue 12: "the derived zip against its source … for a ≥ 1 GiB
// version within the validator's memory bound"). The source zip is generated on the fly as the fake S3 serves
// its ranges (never on disk, never whole in memory); the multipart parts the function uploads are read back in
// order, as they arrive, by the repo's own sequential reader and, at the end, its directory reader: every kept
// entry is the source's raw bytes, the 10 edited captions are new, every CRC checks, the removed are gone,
// and the process grew far less than the 1024 MB function has.
import './handler-env';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { syntheticCaptionName, syntheticDatasetZip, syntheticImageName, type SyntheticZip } from '#support/synthetic-zip';
import { deriveDatasetVersion } from '#app/derive-dataset-version';
import { readDirectory, type Directory } from '#domain/zip-directory';
import { SequentialReader } from '#domain/zip-stream';

const MiB = 1024 * 1024;
const SOURCE_KEY = 'validated/alice/ds1/v1/set.zip';
const ETAG = 'source-etag';

interface Walked { offset: number; crc: number; sameAsSource: boolean; text?: string }

/** Parts in PartNumber order, each handed over when the reader wants it; an UploadPart answers once its part is read. */
function partsInOrder() {
  const waiting = new Map<number, { body: Buffer; taken: () => void }>();
  let wake: (() => void) | null = null;
  let total: number | null = null;
  let next = 1;
  return {
    put(partNumber: number, body: Buffer): Promise<void> {
      return new Promise((taken) => {
        waiting.set(partNumber, { body, taken });
        wake?.();
      });
    },
    /** No more parts: the upload completed with `parts` of them, or failed (null: stop at what is there). */
    complete(parts: number | null) {
      total = parts ?? next - 1 + waiting.size;
      wake?.();
    },
    async *read(): AsyncGenerator<Buffer> {
      for (;;) {
        const part = waiting.get(next);
        if (part) {
          waiting.delete(next);
          next += 1;
          part.taken();
          yield part.body;
        } else if (total !== null && next > total) return;
        else await new Promise<void>((resolve) => { wake = resolve; });
      }
    },
  };
}

/** Compares bytes as they arrive with the source's, whatever the chunk boundaries on either side. */
function sameBytes(expected: Iterator<Buffer>) {
  let pending: Buffer = Buffer.alloc(0);
  return (piece: Buffer): boolean => {
    let at = 0;
    while (at < piece.length) {
      if (!pending.length) {
        const next = expected.next();
        if (next.done) return false;
        pending = next.value;
      }
      const n = Math.min(pending.length, piece.length - at);
      if (!piece.subarray(at, at + n).equals(pending.subarray(0, n))) return false;
      pending = pending.subarray(n);
      at += n;
    }
    return true;
  };
}

/** Walks the derived zip front to back: each entry's CRC computed, copied ones compared byte for byte with the source. */
async function walk(output: AsyncIterable<Buffer>, source: SyntheticZip, written: Set<string>): Promise<{ walked: Map<string, Walked>; directory: Directory; size: number }> {
  const bySourceName = new Map(source.entries.map((e) => [e.name, e]));
  const reader = new SequentialReader(output);
  const walked = new Map<string, Walked>();
  for (;;) {
    const offset = reader.position;
    const header = await reader.read(30);
    if (!header) throw new Error('The derived zip ends before its directory.');
    if (header.readUInt32LE(0) === 0x02014b50) {
      const rest: Buffer[] = [header];
      for await (const piece of reader.take(Number.MAX_SAFE_INTEGER)) rest.push(Buffer.from(piece));
      const tail = Buffer.concat(rest);
      const size = reader.position;
      const directory = await readDirectory(size, tail, async (start, end) => tail.subarray(start - offset, end - offset));
      return { walked, directory, size };
    }
    expect(header.readUInt32LE(0)).toBe(0x04034b50);
    const nameAndExtra = (await reader.read(header.readUInt16LE(26) + header.readUInt16LE(28)))!;
    const name = nameAndExtra.subarray(0, header.readUInt16LE(26)).toString('utf8');
    const copied = bySourceName.get(name);
    if (copied && !written.has(name)) {
      const same = sameBytes(source.chunks(copied.offset, copied.end));
      let sameAsSource = same(header) && same(nameAndExtra);
      let crc = 0;
      let position = copied.headerLength;
      const dataEnd = copied.headerLength + copied.compressedSize;
      const deflated: Buffer[] = [];
      for await (const piece of reader.take(copied.end - copied.offset - copied.headerLength)) {
        sameAsSource &&= same(piece);
        const data = piece.subarray(0, Math.max(0, dataEnd - position));
        if (copied.method === 0) crc = crc32(data, crc);
        else deflated.push(Buffer.from(data)); // a caption: small
        position += piece.length;
      }
      if (copied.method === 8) crc = crc32(inflateRawSync(Buffer.concat(deflated)));
      walked.set(name, { offset, crc: crc >>> 0, sameAsSource });
    } else {
      expect(header.readUInt16LE(6) & 0x8).toBe(0); // written entries carry their sizes in the local header
      const data = (await reader.read(header.readUInt32LE(18)))!;
      const text = header.readUInt16LE(8) === 8 ? inflateRawSync(data) : data;
      const crc = crc32(text) >>> 0;
      expect(crc).toBe(header.readUInt32LE(14));
      walked.set(name, { offset, crc, sameAsSource: false, text: text.toString('utf8') });
    }
  }
}

describe('deriving a new version of a ≥ 1 GiB dataset', () => {
  it('streams it: kept entries byte-identical, 10 edited captions, CRCs valid, removed gone, memory flat', async () => {
    const source = syntheticDatasetZip({ images: 300, bytesPerImage: 3.6 * MiB });
    expect(source.size).toBeGreaterThanOrEqual(1024 * MiB);
    const edited = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [syntheticImageName(k * 33), `a photo of [trigger], edited ${k}`]));
    const removed = [5, 150, 299].map(syntheticImageName);
    const edit = { from: 1, sourceKey: SOURCE_KEY, sourceETag: ETAG, fileName: 'set.zip', captions: edited, remove: removed };

    const s3 = mockClient(S3Client);
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(UpdateCommand).resolves({ Attributes: {} });
    let bytesServed = 0;
    s3.on(HeadObjectCommand, { Key: SOURCE_KEY }).resolves({ ETag: `"${ETAG}"`, ContentLength: source.size });
    s3.on(GetObjectCommand).callsFake(async ({ Key, Range }: { Key: string; Range?: string }) => {
      if (Key === 'edits/alice/ds1/v2.json') return { ETag: '"e"', ContentLength: 100, Body: Readable.from([Buffer.from(JSON.stringify(edit))]) };
      if (Key !== SOURCE_KEY) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      const [start, end] = Range ? Range.replace('bytes=', '').split('-').map(Number) as [number, number] : [0, source.size - 1];
      const chunks = source.chunks(start, end + 1, 64 * 1024);
      return { ETag: `"${ETAG}"`, Body: Readable.from((function* () { for (const c of chunks) { bytesServed += c.length; yield c; } })(), { objectMode: false }) };
    });
    const parts = partsInOrder();
    const uploadedKeys: string[] = [];
    s3.on(CreateMultipartUploadCommand).callsFake(async ({ Key }: { Key: string }) => { uploadedKeys.push(Key); return { UploadId: 'u1' }; });
    s3.on(UploadPartCommand).callsFake(async (input: { PartNumber: number; Body?: Uint8Array }) => {
      sample();
      const body = input.Body!;
      // The mock keeps every call's input: once read, the part's bytes are let go, as S3 would.
      input.Body = undefined;
      await parts.put(input.PartNumber, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      return { ETag: `"p${input.PartNumber}"` };
    });
    s3.on(CompleteMultipartUploadCommand).callsFake(async ({ MultipartUpload }: { MultipartUpload: { Parts: unknown[] } }) => {
      parts.complete(MultipartUpload.Parts.length);
      return {};
    });

    // `external` counts the buffers (arrayBuffers is part of it).
    const memory = () => { const m = process.memoryUsage(); return { rss: m.rss, heap: m.heapUsed + m.external }; };
    const idle = memory();
    const peak = { ...idle };
    const sample = () => { const m = memory(); peak.rss = Math.max(peak.rss, m.rss); peak.heap = Math.max(peak.heap, m.heap); };
    const sampler = setInterval(sample, 50);
    const captionNames = new Set(Object.keys(edited).map((name) => name.replace(/\.png$/, '.txt')));
    try {
      const derived = deriveDatasetVersion('alice', 'ds1', 2).finally(() => parts.complete(null));
      const [outcome, { walked, directory, size }] = await Promise.all([derived, walk(parts.read(), source, captionNames)]);
      expect(outcome).toBe('derived');
      expect(uploadedKeys).toEqual(['datasets/alice/ds1/v2/set.zip']);
      expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);

      const gone = new Set(removed.flatMap((name) => [name, name.replace(/\.png$/, '.txt')]));
      const kept = source.entries.filter((e) => !gone.has(e.name));
      expect(directory.entries.map((e) => e.name).sort()).toEqual(kept.map((e) => e.name).sort());
      for (const name of gone) expect(walked.has(name)).toBe(false);
      for (const entry of directory.entries) {
        const seen = walked.get(entry.name)!;
        expect(seen.offset, entry.name).toBe(entry.localHeaderOffset);
        expect(seen.crc, `${entry.name}'s CRC`).toBe(entry.crc32);
        if (captionNames.has(entry.name)) expect(seen.sameAsSource).toBe(false);
        else expect(seen.sameAsSource, `${entry.name} is the source's raw bytes`).toBe(true);
      }
      for (const [image, text] of Object.entries(edited)) expect(walked.get(image.replace(/\.png$/, '.txt'))!.text).toBe(text);
      expect(walked.get(syntheticCaptionName(1))!.sameAsSource).toBe(true);
      expect(size).toBeGreaterThan(source.size - 4 * 3.7 * MiB);
      // Each byte of the source read about once (kept runs, plus the directory's ranged reads).
      expect(bytesServed).toBeLessThan(source.size * 1.01);
    } finally {
      clearInterval(sampler);
      s3.restore();
      ddb.restore();
    }
    sample();
    const grew = { rss: (peak.rss - idle.rss) / 1e6, heap: (peak.heap - idle.heap) / 1e6 };
    console.log(`derived ${(source.size / MiB).toFixed(0)} MiB: peak RSS +${grew.rss.toFixed(0)} MB, heap+buffers +${grew.heap.toFixed(0)} MB above idle`);
    expect(grew.rss).toBeLessThan(200);
    expect(grew.heap).toBeLessThan(200);
  }, 120_000);
});
