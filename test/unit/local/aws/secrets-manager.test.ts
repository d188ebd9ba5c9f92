// The local Secrets Manager through the SDK's own client: what GetSecretValue returns, and the errors AWS answers.
import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, startServer } from '#local/http-util';
import { DEVELOPER_CREDENTIALS, principalCredentials, type LocalCredentials } from '#local/aws/local-credentials';
import { localSecretsManager, type SecretsManagerOptions } from '#local/aws/secrets-manager';

let stopServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopServer?.();
  stopServer = undefined;
});

async function start(options?: SecretsManagerOptions) {
  const manager = localSecretsManager(options);
  const server = await startServer((req, res) => manager.handle(req, res));
  stopServer = () => closeServer(server.server);
  const client = (credentials: LocalCredentials) => new SecretsManagerClient({ endpoint: server.url, region: 'us-east-1', credentials });
  return { manager, url: server.url, client };
}

describe('the local Secrets Manager', () => {
  it('returns a secret by ARN or name, and answers an unknown one ResourceNotFoundException', async () => {
    const { manager, client } = await start();
    const secret = manager.create('TrainerSecret', '{"FAL_KEY":"k"}', 'trainer keys');
    expect(secret.arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:TrainerSecret-[A-Za-z0-9]{6}$/);
    const sm = client(principalCredentials('training-submit'));
    expect(await sm.send(new GetSecretValueCommand({ SecretId: secret.arn }))).toMatchObject({ ARN: secret.arn, Name: 'TrainerSecret', SecretString: '{"FAL_KEY":"k"}', VersionStages: ['AWSCURRENT'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'TrainerSecret' }))).SecretString).toBe('{"FAL_KEY":"k"}');
    expect((await sm.send(new DescribeSecretCommand({ SecretId: secret.arn }))).Description).toBe('trainer keys');
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'Nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400 },
    });
    await client(DEVELOPER_CREDENTIALS).send(new PutSecretValueCommand({ SecretId: secret.arn, SecretString: '{"FAL_KEY":"new"}' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: secret.arn }))).SecretString).toBe('{"FAL_KEY":"new"}');
  });

  it('refuses unsigned requests and keys it never issued, and asks `authorize` about each call', async () => {
    const asked: string[] = [];
    const { manager, url, client } = await start({
      authorize: (accessKeyId, action, resource) => {
        asked.push(`${accessKeyId} ${action} ${resource}`);
        return accessKeyId !== principalCredentials('list-datasets').accessKeyId
          ? { allowed: true }
          : { allowed: false, message: `User: list-datasets is not authorized to perform: ${action} on resource: ${resource}` };
      },
    });
    const { arn } = manager.create('TrainerSecret', '{}');
    const unsigned = await fetch(url, { method: 'POST', headers: { 'x-amz-target': 'secretsmanager.GetSecretValue', 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ SecretId: arn }) });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    await expect(client({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' }).send(new GetSecretValueCommand({ SecretId: arn })))
      .rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(client(principalCredentials('list-datasets')).send(new GetSecretValueCommand({ SecretId: arn }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`is not authorized to perform: secretsmanager:GetSecretValue on resource: ${arn}`),
    });
    expect(asked).toEqual([`${principalCredentials('list-datasets').accessKeyId} secretsmanager:GetSecretValue ${arn}`]);
  });
});
