// Credentials of the caller's own for direct S3 uploads: a session of the tooling-upload role, named after the
// owner, whose session policy narrows the role (PutObject and multipart on `incoming/*`) to the owner's prefix.
// The validator files an incoming/ object under an owner only when S3 recorded this session as its writer.
import { incomingPrefix, UPLOAD_SESSION_SECONDS, uploadSessionName, uploadSessionPolicy } from '#domain/upload-credentials';
import type { UploadCredentials } from '#domain/schemas';
import { config } from '#adapters/config';
import { assumeUploadRole } from '#adapters/upload-sessions';

export async function createUploadCredentials(owner: string): Promise<UploadCredentials> {
  const bucket = config.datasetsBucket;
  const session = await assumeUploadRole({
    roleArn: config.uploadRoleArn,
    sessionName: uploadSessionName(owner),
    policy: uploadSessionPolicy(bucket, owner),
    durationSeconds: UPLOAD_SESSION_SECONDS,
  });
  const endpoint = config.s3Endpoint;
  return {
    bucket,
    prefix: incomingPrefix(owner),
    region: config.region,
    expiresAt: session.expiresAt.toISOString(),
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken },
    ...(endpoint ? { endpoint } : {}),
  };
}
