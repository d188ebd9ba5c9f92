// Tooling's direct S3 path as a test drives it: the signed-in user's own upload credentials from
// POST /upload-credentials, and an S3 client that signs with them (only puts under `prefix` are allowed, and only
// those are filed under the user).
import { S3Client } from '@aws-sdk/client-s3';
import type { UploadCredentials } from '#domain/schemas';
import type { LoraworksClient } from './local-cloud-client';

export interface ToolingS3 {
  s3: S3Client;
  bucket: string;
  /** `incoming/<owner URI-encoded>/` */
  prefix: string;
  answer: UploadCredentials;
}

export async function toolingS3(client: LoraworksClient): Promise<ToolingS3> {
  const answer = await client.expect<UploadCredentials>(201, 'POST', '/upload-credentials');
  const s3 = new S3Client({
    ...(answer.endpoint ? { endpoint: answer.endpoint, forcePathStyle: true } : {}),
    region: answer.region,
    credentials: answer.credentials,
  });
  return { s3, bucket: answer.bucket, prefix: answer.prefix, answer };
}
