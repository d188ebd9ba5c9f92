// A version's manifest (its files, as the validator read them) stored gzipped JSON beside it in the datasets bucket.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { manifestKey } from '#domain/dataset-manifest';
import { DatasetFile } from '#domain/schemas';
import { s3 } from './blob-store';
import { config } from './config';

const isMissing = (error: Error) => error.name === 'NoSuchKey' || error.name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

export async function putManifest(owner: string, datasetId: string, version: number, files: DatasetFile[]): Promise<void> {
  const body = await promisify(gzip)(Buffer.from(JSON.stringify({ files })));
  await s3().send(new PutObjectCommand({
    Bucket: config.datasetsBucket, Key: manifestKey(owner, datasetId, version), Body: body, ContentType: 'application/gzip',
  }));
}

/** The version's files, or null when it has no manifest (validated before manifests were written). */
export async function getManifest(owner: string, datasetId: string, version: number): Promise<DatasetFile[] | null> {
  let bytes: Buffer;
  try {
    const { Body } = await s3().send(new GetObjectCommand({ Bucket: config.datasetsBucket, Key: manifestKey(owner, datasetId, version) }));
    const chunks: Buffer[] = [];
    for await (const chunk of (Body ?? []) as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    bytes = Buffer.concat(chunks);
  } catch (error) {
    if (isMissing(error as Error)) return null;
    throw error;
  }
  const parsed = JSON.parse((await promisify(gunzip)(bytes)).toString('utf8')) as { files: unknown };
  return DatasetFile.array().parse(parsed.files);
}
