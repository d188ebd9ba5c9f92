// The dataset corpus through one local cloud: every archive enters the way users' archives do (presigned POST
// or a direct S3 put under incoming/), fires the real s3rver event, and must end READY or INVALID with the
// finding that says why. Then: the cloud still answers, no version or object claim is left half-written,
// duplicate and late S3 events change nothing, a sidecar starts a job, the POST policy is enforced.
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_NAMES } from '#local/cloud';
import type { Dataset, DatasetVersion, ErrorBody, Job, Trainer } from '#domain/schemas';
import { datasetCorpus, type CorpusCase } from '#support/dataset-corpus';
import { makeDatasetZip } from '#support/dataset-zip';
import { useCloudSession } from '#support/cloud-session';
import { toolingS3 } from '#support/tooling-s3';

const USER = 'corpus';
const OWNER = `dev-${USER}`;
const BATCH = 6;

const session = useCloudSession('corpus', { stepsPerSecond: 500, user: USER }, 60_000);
let s3: S3Client;
/** The user's own upload credentials (POST /upload-credentials): tooling's direct puts under incoming/ sign with them. */
let tooling: S3Client;

beforeAll(async () => {
  s3 = new S3Client({ endpoint: session.cloud.s3Url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  tooling = (await toolingS3(session.client)).s3;
});

const putDirect = (key: string, body: Buffer | string) =>
  tooling.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.datasets, Key: key, Body: body }));

async function run(c: CorpusCase, index: number): Promise<string | null> {
  let datasetId: string;
  let version: number;
  if (c.via === 'direct') {
    datasetId = `corpus-${index}`;
    version = 1;
    await putDirect(`incoming/${OWNER}/${datasetId}/case.zip`, c.zip);
  } else {
    ({ dataset: { id: datasetId }, version } = await session.client.uploadDataset(c.zip, c.name));
  }
  const decided = await session.feed.datasetVersion(datasetId, version, ['READY', 'INVALID'], 60_000);
  const report = decided.report;
  const list = decided.status === 'INVALID' ? report?.errors : report?.warnings;
  const found = !c.finding || list?.some((f) => f.code === c.finding!.code && (!c.finding!.file || f.file === c.finding!.file));
  if (decided.status === c.status && found && decided.sha256?.length === 64 && decided.sizeBytes === c.zip.length) return null;
  return `${c.name}: expected ${c.status}${c.finding ? ` with ${c.finding.code}${c.finding.file ? ` on ${c.finding.file}` : ''}` : ''}, got ${decided.status} `
    + `(sha256 ${decided.sha256 ? 'set' : 'missing'}, size ${decided.sizeBytes}/${c.zip.length}) errors=${JSON.stringify(report?.errors.map((f) => [f.code, f.file]))} warnings=${JSON.stringify(report?.warnings.map((f) => [f.code, f.file]))}`;
}

describe('the dataset corpus', () => {
  const corpus = datasetCorpus();

  it('holds at least 40 bad or tricky archives and several good ones', () => {
    expect(corpus.filter((c) => c.finding).length).toBeGreaterThanOrEqual(40);
    expect(corpus.filter((c) => c.status === 'READY' && !c.finding).length).toBeGreaterThanOrEqual(5);
  });

  it('ends every archive READY or INVALID with the finding that says why', async () => {
    const failures: string[] = [];
    for (let i = 0; i < corpus.length; i += BATCH) {
      const batch = corpus.slice(i, i + BATCH);
      const outcomes = await Promise.all(batch.map((c, j) => run(c, i + j).catch((error: Error) => `${c.name}: ${error.message}`)));
      failures.push(...outcomes.filter((o): o is string => o !== null));
    }
    expect(failures).toEqual([]);
  }, 150_000);

  it('stays up and leaves nothing half-written', async () => {
    expect((await fetch(`${session.cloud.apiUrl}/health`)).status).toBe(200);
    await session.cloud.streamsIdle();
    const { datasets } = await session.client.expect<{ datasets: Dataset[] }>(200, 'GET', '/datasets');
    expect(datasets.length).toBeGreaterThanOrEqual(corpus.length);
    const ddb = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: 'us-east-1' });
    const items = (await ddb.send(new ScanCommand({ TableName: LOCAL_NAMES.table }))).Items!.map((i) => unmarshall(i));
    const versions = items.filter((i) => i.type === 'DatasetVersion' && i.owner === OWNER);
    expect(versions.filter((v) => v.status !== 'READY' && v.status !== 'INVALID').map((v) => `${v.datasetId} v${v.version} ${v.status}`)).toEqual([]);
    expect(items.filter((i) => i.type === 'DatasetObject' && i.version === undefined)).toEqual([]);
  });
});

describe('S3 events delivered twice, late or out of order', () => {
  it('validates a duplicated event once and turns an overwritten key into a new version, ignoring the late event of the old object', async () => {
    const key = `incoming/${OWNER}/dup-set/photos.zip`;
    const first = await makeDatasetZip({ images: 4, size: 300 });
    await putDirect(key, first);
    const v1 = await session.feed.datasetVersion('dup-set', 1, ['READY', 'INVALID']);
    expect(v1.status).toBe('READY');
    const firstEvent = session.cloud.s3Events.records().filter((r) => r.s3.object.key === key).at(-1)!;

    // The same event three more times, at once.
    for (let i = 0; i < 3; i++) session.cloud.s3Events.deliver({ Records: [firstEvent] });
    // A new object at the same key, and the old object's event again, late.
    const second = await makeDatasetZip({ images: 5, size: 300 });
    await putDirect(key, second);
    session.cloud.s3Events.deliver({ Records: [firstEvent] });
    const v2 = await session.feed.datasetVersion('dup-set', 2, ['READY', 'INVALID']);
    expect(v2).toMatchObject({ status: 'READY', sizeBytes: second.length, report: { images: 5 } });

    // Let every delivery finish: an extra version or a re-validation would show in the list or the messages.
    await session.cloud.s3Events.idle();
    await session.cloud.streamsIdle();
    const dataset = await session.client.expect<Dataset>(200, 'GET', '/datasets/dup-set');
    expect(dataset.versions!.map((v) => [v.version, v.status, v.sizeBytes])).toEqual([[2, 'READY', second.length], [1, 'READY', first.length]]);
    const validations = session.feed.messages.filter((m) => m.type === 'dataset' && m.datasetId === 'dup-set' && m.version.status === 'VALIDATING');
    expect(new Set(validations.map((m) => (m as { version: DatasetVersion }).version.version))).toEqual(new Set([1, 2]));
  }, 60_000);
});

describe('direct S3 uploads with a training sidecar', () => {
  it('starts the requested job (origin s3) once the version is READY', async () => {
    const { trainers } = await session.client.expect<{ trainers: Trainer[] }>(200, 'GET', '/trainers');
    const trainer = trainers.find((t) => t.id === 'fal-ai/flux-lora-fast-training')!;
    const key = `incoming/${OWNER}/auto-set/faces.zip`;
    await putDirect(`${key}.train.json`, JSON.stringify({ trainerId: trainer.id, triggerPhrase: 'ohwx', params: { steps: 50 } }));
    await putDirect(key, await makeDatasetZip({ images: 4, size: 300 }));
    const started = await session.feed.next((m) => m.type === 'dataset' && m.datasetId === 'auto-set' && Boolean(m.version.autoStart), 'the auto-start', 60_000);
    const version = (started as { version: DatasetVersion }).version;
    expect(version.autoStart?.error).toBeUndefined();
    const job = await session.client.expect<Job>(200, 'GET', `/jobs/${version.autoStart!.jobId}`);
    expect(job).toMatchObject({ origin: 's3', datasetId: 'auto-set', datasetVersion: 1, triggerPhrase: 'ohwx', trainerId: trainer.id });
    await session.feed.job(job.id, 'COMPLETED', 60_000);
  }, 90_000);
});

describe('the upload policy and the trainer fit', () => {
  it('refuses a file larger or smaller than the size the upload declared, and stores nothing', async () => {
    const dataset = await session.client.expect<Dataset>(201, 'POST', '/datasets', { name: 'policy' });
    for (const [declared, actual, code] of [[1000, 1200, 'EntityTooLarge'], [1000, 800, 'EntityTooSmall']] as const) {
      const { upload } = await session.client.expect<{ upload: { url: string; fields: Record<string, string> } }>(201, 'POST', `/datasets/${dataset.id}/uploads`, { fileName: 'p.zip', sizeBytes: declared });
      const form = new FormData();
      for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
      form.append('file', new Blob([new Uint8Array(actual)]), 'p.zip');
      const res = await fetch(upload.url, { method: 'POST', body: form });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(`<Code>${code}</Code>`);
    }
    const stored = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_NAMES.datasets, Prefix: `datasets/${OWNER}/${dataset.id}/` }));
    expect(stored.KeyCount).toBe(0);
    await session.client.expect(413, 'POST', `/datasets/${dataset.id}/uploads`, { fileName: 'big.zip', sizeBytes: 3 * 1024 ** 3 });
  });

  it('refuses (409) a job on a READY version that does not fit the chosen trainer', async () => {
    const { dataset, version } = await session.client.uploadDataset(await makeDatasetZip({ images: 2, size: 300 }), 'two images');
    const ready = await session.feed.datasetVersion(dataset.id, version, ['READY', 'INVALID']);
    expect(ready.status).toBe('READY');
    expect(ready.report?.fitsTrainers).not.toContain('fal-ai/flux-lora-fast-training');
    const res = await session.client.request<ErrorBody>('POST', '/jobs', { trainerId: 'fal-ai/flux-lora-fast-training', datasetId: dataset.id, triggerPhrase: 'ohwx', params: {} });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DATASET_UNFIT');
  });
});
