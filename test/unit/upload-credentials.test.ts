import './handler-env';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { attributeIncoming, incomingPrefix, uploadPrincipalId, uploadSessionName, uploadSessionPolicy } from '#domain/upload-credentials';
import { httpEvent } from './http-events';

const { handler } = await import('#handlers/create-upload-credentials');
const sts = mockClient(STSClient);
const context = { awsRequestId: 'r1', functionName: 'create-upload-credentials', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const ROLE_ID = 'AROAUPLOADROLETEST';

describe('the upload session rules', () => {
  it('names the session after the owner where STS allows it, else after a stable hash of it', () => {
    expect(uploadSessionName('dev-alice')).toBe('dev-alice');
    expect(uploadSessionName('4f1c2a9e-0b1d-4d8e-9d5e-1f2a3b4c5d6e')).toBe('4f1c2a9e-0b1d-4d8e-9d5e-1f2a3b4c5d6e');
    for (const owner of ['user|42', 'a', 'x'.repeat(65), 'émile', 'h-short']) {
      const name = uploadSessionName(owner);
      expect(name, owner).toMatch(/^h-[0-9a-f]{40}$/);
      expect(uploadSessionName(owner), owner).toBe(name);
    }
    expect(uploadSessionName('user|42')).not.toBe(uploadSessionName('user|43'));
    // An owner that looks like a hash form is hashed too: no owner can take another's name.
    expect(uploadSessionName(uploadSessionName('user|42'))).not.toBe(uploadSessionName('user|42'));
  });

  it('allows only the upload actions, only under the owner\'s URI-encoded incoming/ prefix', () => {
    expect(incomingPrefix('user|42')).toBe('incoming/user%7C42/');
    expect(JSON.parse(uploadSessionPolicy('datasets-test', 'user|42'))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'OwnIncomingPrefix', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: 'arn:aws:s3:::datasets-test/incoming/user%7C42/*' }],
    });
  });

  it('attributes an incoming/ object to its key\'s owner only when that owner\'s session of the role wrote it', () => {
    expect(attributeIncoming('alice', uploadPrincipalId(ROLE_ID, 'alice'), ROLE_ID)).toEqual({ attributed: true });
    expect(attributeIncoming('user|42', `AWS:${ROLE_ID}:${uploadSessionName('user|42')}`, ROLE_ID)).toEqual({ attributed: true });
    for (const writer of [undefined, `AWS:${ROLE_ID}:bob`, 'AWS:AROAOTHER:alice', 'AWS:AIDADEVELOPER', `AWS:${ROLE_ID}:alice:x`]) {
      const refused = attributeIncoming('alice', writer, ROLE_ID);
      expect(refused.attributed, String(writer)).toBe(false);
      expect(!refused.attributed && refused.reason).toContain('POST /upload-credentials');
    }
    expect(attributeIncoming('alice', uploadPrincipalId(ROLE_ID, 'alice'), undefined)).toMatchObject({ attributed: false, reason: expect.stringContaining('UPLOAD_ROLE_ID') });
  });
});

describe('POST /upload-credentials', () => {
  beforeEach(() => {
    sts.reset();
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2026-01-01T01:00:00Z') },
    });
  });

  it('assumes the tooling-upload role for an hour, named after the caller, narrowed to their prefix, and answers 201 with the session', async () => {
    const res = await handler(httpEvent({ owner: 'user|42', routeKey: 'POST /upload-credentials' }), context) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(201);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([{
      RoleArn: 'arn:aws:iam::123456789012:role/ToolingUpload', RoleSessionName: uploadSessionName('user|42'),
      Policy: uploadSessionPolicy('datasets-test', 'user|42'), DurationSeconds: 3600,
    }]);
    expect(JSON.parse(res.body)).toEqual({
      bucket: 'datasets-test', prefix: 'incoming/user%7C42/', region: 'us-east-1', expiresAt: '2026-01-01T01:00:00.000Z',
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
    });
  });

  it('names the S3 endpoint only where S3 is not AWS\'s', async () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'http://localhost:4569';
    try {
      const res = await handler(httpEvent({ owner: 'alice' }), context) as { body: string };
      expect(JSON.parse(res.body)).toMatchObject({ endpoint: 'http://localhost:4569', prefix: 'incoming/alice/' });
    } finally {
      delete process.env.AWS_ENDPOINT_URL_S3;
    }
  });

  it('refuses a caller without a token (401), and never asks STS', async () => {
    const res = await handler(httpEvent({ owner: null }), context) as { statusCode: number };
    expect(res.statusCode).toBe(401);
    expect(sts.commandCalls(AssumeRoleCommand)).toEqual([]);
  });
});
