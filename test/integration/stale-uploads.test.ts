// A version whose file never came, in the local cloud: the reconciler, invoked through the Lambda API as the
// schedule invokes it in AWS, ends it INVALID with what to do, pushed live; a READY version is left as it was.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '#domain/schemas';
import { useCloudSession } from '#support/cloud-session';
import { makeDatasetZip } from '#support/dataset-zip';

const session = useCloudSession('stale-uploads', { stepsPerSecond: 500 });

describe('an upload that never arrived', () => {
  it('ends INVALID with UPLOAD_NEVER_ARRIVED once the reconciler runs past its grace, and READY versions stay READY', async () => {
    const { client, feed } = session;
    const ready = await client.uploadDataset(await makeDatasetZip({ images: 3, size: 64 }), 'kept set');
    await feed.datasetVersion(ready.dataset.id, ready.version, ['READY']);
    const dataset = await client.expect<Dataset>(201, 'POST', '/datasets', { name: 'abandoned set' });
    const { version } = await client.expect<{ version: number }>(201, 'POST', `/datasets/${dataset.id}/uploads`, { fileName: 'set.zip', sizeBytes: 1000 });

    const lambda = new LambdaClient({ endpoint: process.env.AWS_ENDPOINT_URL_LAMBDA });
    const answer = await lambda.send(new InvokeCommand({ FunctionName: 'reconcile', Payload: Buffer.from(JSON.stringify({ uploadGraceSeconds: 0 })) }));
    expect(answer.FunctionError, Buffer.from(answer.Payload ?? []).toString()).toBeUndefined();
    expect(JSON.parse(Buffer.from(answer.Payload!).toString())).toMatchObject({ uploadsFailed: 1 });

    await feed.datasetVersion(dataset.id, version, ['INVALID']);
    const abandoned = await client.expect<Dataset>(200, 'GET', `/datasets/${dataset.id}`);
    expect(abandoned.versions?.[0]).toMatchObject({ version, status: 'INVALID' });
    expect(abandoned.versions?.[0]?.report?.errors).toEqual([{ code: 'UPLOAD_NEVER_ARRIVED', message: expect.stringMatching(/Upload the dataset again\.$/) }]);
    const kept = await client.expect<Dataset>(200, 'GET', `/datasets/${ready.dataset.id}`);
    expect(kept.versions?.[0]?.status).toBe('READY');
  }, 60_000);
});
