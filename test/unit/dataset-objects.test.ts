// Reading a sidecar or an upload's head when S3 refuses: a 403 (what S3 answers a missing key without
// s3:ListBucket) is a clear failure naming the grant, never taken for "no such object".
import './handler-env';
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { headObject, readSmallText } from '#adapters/dataset-objects';

const s3 = mockClient(S3Client);
const SIDECAR = 'incoming/alice/ds1/set.zip.train.json';
const forbidden = (name: string) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 403 }, message: name });

beforeEach(() => s3.reset());

describe('readSmallText (the sidecar read)', () => {
  it('reads a missing sidecar (404 NoSuchKey) as none', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }));
    await expect(readSmallText('datasets-test', SIDECAR, 1024)).resolves.toBeNull();
  });

  it('fails clearly on a 403, naming the key and the missing s3:ListBucket, instead of reading it as no sidecar', async () => {
    s3.on(GetObjectCommand).rejects(forbidden('AccessDenied'));
    await expect(readSmallText('datasets-test', SIDECAR, 1024)).rejects.toThrow(/refused to read s3:\/\/datasets-test\/incoming\/alice\/ds1\/set\.zip\.train\.json \(403 AccessDenied\).*s3:ListBucket/);
  });
});

describe('headObject (an upload that may have been removed)', () => {
  it('reads a removed object (404 NotFound) as gone', async () => {
    s3.on(HeadObjectCommand).rejects(new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'NotFound' }));
    await expect(headObject('datasets-test', 'incoming/alice/ds1/set.zip')).resolves.toBeNull();
  });

  it('fails clearly on a 403 (a HEAD has no body: the SDK names it Forbidden)', async () => {
    s3.on(HeadObjectCommand).rejects(forbidden('Forbidden'));
    await expect(headObject('datasets-test', 'incoming/alice/ds1/set.zip')).rejects.toThrow(/403 Forbidden.*s3:ListBucket/);
  });
});
