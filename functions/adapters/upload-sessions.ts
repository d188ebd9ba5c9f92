// STS sessions of the tooling-upload role (POST /upload-credentials): one client per container.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { sdkHttp } from './config';

let client: STSClient | undefined;

export interface SessionRequest { roleArn: string; sessionName: string; policy: string; durationSeconds: number }
export interface Session { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiresAt: Date }

export async function assumeUploadRole(request: SessionRequest): Promise<Session> {
  client ??= new STSClient({ ...sdkHttp });
  const { Credentials: c } = await client.send(new AssumeRoleCommand({
    RoleArn: request.roleArn, RoleSessionName: request.sessionName, Policy: request.policy, DurationSeconds: request.durationSeconds,
  }));
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error('STS AssumeRole answered without credentials.');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiresAt: c.Expiration };
}
