// File names with spaces, `+`, `%`, unicode and `#` through both upload paths of the local cloud: the presigned
// POST the API hands out, and a direct SDK put under incoming/. S3 event records carry such keys URL-encoded,
// and each upload must end a READY version under its own name. The POST policy is enforced on the same path.
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_NAMES } from '#local/cloud';
import type { Dataset } from '#domain/schemas';
import { makeDatasetZip } from '#support/dataset-zip';
import { useCloudSession } from '#support/cloud-session';
import { toolingS3 } from '#support/tooling-s3';

const USER = 'keys';
const OWNER = `dev-${USER}`;
const NAMES = ['my set.zip', 'a+b.zip', '100%.zip', 'ünïcødé 日本.zip', 'set#1.zip', 'a %2B b+%20.zip'];

const session = useCloudSession('s3keys', { stepsPerSecond: 500, user: USER }, 60_000);
let s3: S3Client;
/** The user's own upload credentials (POST /upload-credentials): only their puts under incoming/ are filed under them. */
let tooling: S3Client;
let zip: Buffer;

beforeAll(async () => {
  s3 = new S3Client({ endpoint: session.cloud.s3Url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  tooling = (await toolingS3(session.client)).s3;
  zip = await makeDatasetZip({ images: 4, size: 300 });
});

describe('file names S3 encodes in its events', () => {
  it.each(NAMES)('%s uploaded with the presigned POST becomes a READY version of that name', async (fileName) => {
    const { dataset, version } = await session.client.uploadDataset(zip, `post ${fileName}`, fileName);
    const decided = await session.feed.datasetVersion(dataset.id, version, ['READY', 'INVALID'], 30_000);
    expect(decided).toMatchObject({ status: 'READY', fileName, sizeBytes: zip.length });
    const record = session.cloud.s3Events.records().find((r) => r.s3.object.key.startsWith(`datasets/${OWNER}/${dataset.id}/`));
    expect(decodeURIComponent(record!.s3.object.key.replace(/\+/g, ' '))).toBe(`datasets/${OWNER}/${dataset.id}/v${version}/${fileName}`);
    // As S3 sends it: nothing but URL-safe characters, `+` for a space, `%XX` escapes.
    expect(record!.s3.object.key).toMatch(/^[A-Za-z0-9\-_.*/+%]+$/);
  }, 40_000);

  it.each(NAMES.map((name, i) => [name, `direct-${i}`]))('%s put straight under incoming/ becomes a READY version of that name', async (fileName, datasetId) => {
    await tooling.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.datasets, Key: `incoming/${OWNER}/${datasetId}/${fileName}`, Body: zip }));
    const decided = await session.feed.datasetVersion(datasetId, 1, ['READY', 'INVALID'], 30_000);
    expect(decided).toMatchObject({ status: 'READY', fileName, sizeBytes: zip.length });
    const dataset = await session.client.expect<Dataset>(200, 'GET', `/datasets/${datasetId}`);
    expect(dataset.versions!.map((v) => [v.version, v.status, v.fileName])).toEqual([[1, 'READY', fileName]]);
  }, 40_000);
});

describe('the upload form the API hands out', () => {
  it('uploads only as signed: another key, another type or an extra field is refused as S3 refuses it, and nothing is stored', async () => {
    const dataset = await session.client.expect<Dataset>(201, 'POST', '/datasets', { name: 'tampered' });
    const { upload } = await session.client.expect<{ upload: { url: string; fields: Record<string, string> } }>(
      201, 'POST', `/datasets/${dataset.id}/uploads`, { fileName: 'p.zip', sizeBytes: zip.length });
    const key = upload.fields.key!;
    const other = key.replace(/p\.zip$/, 'other.zip');
    for (const [fields, message] of [
      [{ ...upload.fields, key: other }, `Policy Condition failed: ["eq", "$key", "${key}"]`],
      [{ ...upload.fields, 'Content-Type': 'text/html' }, 'Policy Condition failed: ["eq", "$Content-Type", "application/zip"]'],
      [{ ...upload.fields, 'x-amz-meta-trainer': 'mine' }, 'Extra input fields: x-amz-meta-trainer'],
    ] as const) {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', new Blob([new Uint8Array(zip)]), 'p.zip');
      const res = await fetch(upload.url, { method: 'POST', body: form });
      expect(res.status).toBe(403);
      expect((await res.text()).replace(/&quot;/g, '"')).toContain(`<Code>AccessDenied</Code><Message>Invalid according to Policy: ${message}</Message>`);
    }
    const stored = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_NAMES.datasets, Prefix: `datasets/${OWNER}/${dataset.id}/` }));
    expect(stored.KeyCount).toBe(0);
    const { versions } = await session.client.expect<Dataset>(200, 'GET', `/datasets/${dataset.id}`);
    expect(versions!.map((v) => v.status)).toEqual(['UPLOADING']);
  });
});
