// A version's files in the local cloud: upload → GET …/files (every image with its caption, size, dimensions and
// where its bytes are) → a browser-style Range GET of `url` with an Origin returns exactly that entry's bytes with
// the CORS headers a page needs → a second version → GET …/diff; a job started on a version is listed on it.
import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CreateUploadResponse, DatasetDiff, DatasetFileList, ErrorBody, Job } from '#domain/schemas';
import { useCloudSession } from '#support/cloud-session';
import { postForm } from '#support/local-cloud-client';
import { makePng } from '#support/png';
import { buildZip } from '#support/zip-writer';

const session = useCloudSession('files', { stepsPerSecond: 500 });
const images = Array.from({ length: 5 }, (_, i) => makePng(256 + i * 16, 256, i + 1));

function datasetZip(changes: { caption3?: string; drop4?: boolean; add5?: boolean; image1?: Buffer } = {}): Buffer {
  const entries = images.flatMap((png, i) => {
    if (i === 4 && changes.drop4) return [];
    const caption = i === 3 && changes.caption3 ? changes.caption3 : `a photo of [trigger], number ${i}`;
    // Stored and deflated entries, as real zips mix them.
    return [{ name: `set/img${i}.png`, data: i === 1 && changes.image1 ? changes.image1 : png, method: i % 2 ? 8 : 0 }, { name: `set/img${i}.txt`, data: caption, method: i % 2 ? 0 : 8 }];
  });
  if (changes.add5) entries.push({ name: 'set/img5.png', data: makePng(300, 300, 9), method: 0 });
  return buildZip(entries);
}

describe('a version’s files', () => {
  it('lists every file with its caption and location, serves its bytes by range to another origin, and diffs versions', async () => {
    const { client, feed } = session;
    const { dataset, version } = await client.uploadDataset(datasetZip(), 'files set');
    const early = await client.request<ErrorBody>('GET', `/datasets/${dataset.id}/versions/${version}/files`);
    if (early.status !== 200) expect(early).toMatchObject({ status: 409, body: { error: { code: 'VERSION_NOT_DECIDED' } } });
    await feed.datasetVersion(dataset.id, version, ['READY']);

    const listing = await client.expect<DatasetFileList>(200, 'GET', `/datasets/${dataset.id}/versions/${version}/files`);
    const media = listing.files.filter((f) => f.kind === 'image');
    expect(media.map((f) => [f.name, f.width, f.height, f.caption])).toEqual(images.map((png, i) => [`set/img${i}.png`, 256 + i * 16, 256, `a photo of [trigger], number ${i}`]));
    expect(media.every((f) => f.captionFile === f.name.replace('.png', '.txt') && f.findings.length === 0)).toBe(true);
    expect(Date.parse(listing.expiresAt!)).toBeGreaterThan(Date.now() + 3500_000);

    // What the editor's thumbnails do: one Range GET per entry, from the web app's own origin.
    for (const [i, file] of media.slice(0, 2).entries()) {
      const res = await fetch(listing.url!, { headers: { origin: 'http://localhost:5173', range: `bytes=${file.zip.dataOffset}-${file.zip.dataOffset + file.zip.compressedSize - 1}` } });
      expect(res.status).toBe(206);
      expect(res.headers.get('access-control-allow-origin')).toBeTruthy();
      expect(res.headers.get('access-control-expose-headers')).toMatch(/Content-Range/i);
      expect(res.headers.get('content-range')).toMatch(new RegExp(`^bytes ${file.zip.dataOffset}-`));
      const slice = Buffer.from(await res.arrayBuffer());
      const bytes = file.zip.method === 'stored' ? slice : inflateRawSync(slice);
      expect(file.zip.method).toBe(i % 2 ? 'deflated' : 'stored');
      expect(crc32(bytes) >>> 0).toBe(file.zip.crc32);
      expect(bytes.equals(images[i]!)).toBe(true);
    }

    // A job on v1 is listed on it (lineage), pushed live.
    const job = await client.expect<Job>(201, 'POST', '/jobs', { trainerId: 'fal-ai/flux-lora-fast-training', datasetId: dataset.id, triggerPhrase: 'ohwx', params: { steps: 10 } });
    await feed.next((m) => m.type === 'dataset' && m.datasetId === dataset.id && (m.version.jobIds ?? []).includes(job.id), 'v1 listing its job');

    // A second version: one caption edited, one image removed, one added, one image's content changed.
    const zip2 = datasetZip({ caption3: 'ohwx, edited', drop4: true, add5: true, image1: makePng(272, 256, 42) });
    const { version: v2, upload } = await client.expect<CreateUploadResponse>(201, 'POST', `/datasets/${dataset.id}/uploads`, { fileName: 'set.zip', sizeBytes: zip2.length });
    expect((await postForm(upload, zip2)).status).toBeLessThan(300);
    await feed.datasetVersion(dataset.id, v2, ['READY']);
    expect(await client.expect<DatasetDiff>(200, 'GET', `/datasets/${dataset.id}/versions/${v2}/diff`)).toEqual({
      from: version, to: v2, added: ['set/img5.png'], removed: ['set/img4.png'],
      changed: [{ name: 'set/img1.png', what: 'content' }, { name: 'set/img3.png', what: 'caption' }],
    });
  }, 120_000);
});
