// Versions made from edits in the local cloud: POST /datasets/{id}/versions → the derive function (S3 event on
// the edit request / the additions zip) streams the new zip by multipart to the version's upload key → the
// validator makes it READY, with the edited captions, without the removed image, `derivedFrom` set.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { LOCAL_NAMES } from '#local/cloud';
import type { CreateDatasetVersionResponse, Dataset, DatasetVersion, ErrorBody } from '#domain/schemas';
import { useCloudSession } from '#support/cloud-session';
import { makeDatasetZip } from '#support/dataset-zip';
import { postForm } from '#support/local-cloud-client';
import { makePng } from '#support/png';

const session = useCloudSession('derive', { stepsPerSecond: 500 });

async function validatedZip(dataset: Dataset, version: number): Promise<JSZip> {
  const s3 = new S3Client({ endpoint: session.cloud.s3Url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_NAMES.datasets, Prefix: 'validated/' }));
  const key = Contents?.map((c) => c.Key!).find((k) => k.endsWith(`/${dataset.id}/v${version}/set.zip`));
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.datasets, Key: key }));
  return JSZip.loadAsync(Buffer.from(await Body!.transformToByteArray()));
}

describe('a version made from an edit', () => {
  it('is built from its source by streaming and validated like any upload; additions are merged', async () => {
    const { client, feed } = session;
    const { dataset, version: v1 } = await client.uploadDataset(await makeDatasetZip({ images: 5 }), 'edited set');
    await feed.datasetVersion(dataset.id, v1, ['READY']);

    const refused = await client.request<ErrorBody>('POST', `/datasets/${dataset.id}/versions`, { from: v1, captions: { 'nope.png': 'x' }, remove: ['photo-09.png'] });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual([
      { field: 'captions.nope.png', message: expect.stringContaining(`No such image in v${v1}`) },
      { field: 'remove[0]', message: expect.stringContaining(`No such image in v${v1}`) },
    ]);

    const edit = await client.expect<CreateDatasetVersionResponse>(202, 'POST', `/datasets/${dataset.id}/versions`, {
      from: v1, captions: { 'photo-01.png': 'a photo of ohwx, edited', 'photo-02.png': '' }, remove: ['photo-03.png'],
    });
    expect(edit.upload).toBeUndefined();
    const v2 = await feed.datasetVersion(dataset.id, edit.version, ['READY', 'INVALID']);
    expect(v2).toMatchObject({ status: 'READY', derivedFrom: v1, source: 'web', report: { images: 4, captions: 3 } });
    const zip2 = await validatedZip(dataset, edit.version);
    expect(await zip2.file('photo-01.txt')!.async('string')).toBe('a photo of ohwx, edited');
    expect(zip2.file('photo-02.txt')).toBeNull();
    expect(zip2.file('photo-03.png')).toBeNull();
    expect(zip2.file('photo-03.txt')).toBeNull();
    expect(await zip2.file('photo-04.txt')!.async('string')).toBe('a photo of [trigger], sample 4');

    const withAdditions = await client.expect<CreateDatasetVersionResponse>(202, 'POST', `/datasets/${dataset.id}/versions`, {
      from: edit.version, captions: { 'photo-04.png': 'four' }, addUpload: true,
    });
    const additions = new JSZip();
    additions.file('photo-10.png', makePng(64, 64, 10));
    additions.file('photo-10.txt', 'an added photo of ohwx');
    additions.file('photo-05.txt', 'a replaced caption');
    const posted = await postForm(withAdditions.upload!, await additions.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }), 'additions.zip');
    expect(posted.status).toBeLessThan(300);
    const v3 = await feed.datasetVersion(dataset.id, withAdditions.version, ['READY', 'INVALID']);
    expect(v3).toMatchObject({ status: 'READY', derivedFrom: edit.version, report: { images: 5 } });
    const zip3 = await validatedZip(dataset, withAdditions.version);
    expect(await zip3.file('photo-10.txt')!.async('string')).toBe('an added photo of ohwx');
    expect(await zip3.file('photo-05.txt')!.async('string')).toBe('a replaced caption');
    expect(await zip3.file('photo-04.txt')!.async('string')).toBe('four');
    expect(await zip3.file('photo-01.txt')!.async('string')).toBe('a photo of ohwx, edited');

    const versions = (await client.expect<Dataset>(200, 'GET', `/datasets/${dataset.id}`)).versions as DatasetVersion[];
    expect(versions.find((v) => v.version === withAdditions.version)).not.toHaveProperty('deriveLeaseUntil');
  }, 120_000);
});
