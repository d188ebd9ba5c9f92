// A local Secrets Manager: the AWS JSON 1.1 protocol (`X-Amz-Target: secretsmanager.<Operation>`) for the
// operations the SDK's clients and the AWS CLI use on one known secret (GetSecretValue, DescribeSecret,
// PutSecretValue, ListSecrets), with the errors AWS answers: ResourceNotFoundException for an unknown secret,
// MissingAuthenticationTokenException for an unsigned request, UnrecognizedClientException for an access key
// the local cloud never issued, AccessDeniedException when `authorize` refuses. Secrets live in memory: the
// local cloud creates the template's secrets at start, from the developer's environment.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '#local/http-util';
import { localSecretArn } from './lambda-runtime';
import type { Authorize } from './iam';
import { principalOf, signedAccessKey } from './local-credentials';

export interface LocalSecret {
  arn: string;
  name: string;
}

export interface SecretsManagerOptions {
  /**
   * Whether the holder of an access key may perform `action` (e.g. `secretsmanager:GetSecretValue`) on the
   * secret's ARN; a refusal's message is the AccessDeniedException's. @default allows every key the local cloud issued
   */
  authorize?: Authorize;
}

export interface LocalSecretsManager {
  /** Creates a secret (the template's, at start) and returns its ARN, named as AWS names them (`…:secret:<name>-XXXXXX`). */
  create(name: string, value: string, description?: string): LocalSecret;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

interface Stored extends LocalSecret {
  description?: string;
  value: string;
  versionId: string;
  created: number;
  changed: number;
}

class AwsError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

const OPERATIONS = ['GetSecretValue', 'DescribeSecret', 'PutSecretValue', 'ListSecrets'] as const;
type Operation = (typeof OPERATIONS)[number];

export function localSecretsManager(options: SecretsManagerOptions = {}): LocalSecretsManager {
  const authorize = options.authorize ?? (() => ({ allowed: true }));
  const secrets = new Map<string, Stored>();

  const find = (id: unknown): Stored => {
    if (typeof id !== 'string' || id === '') throw new AwsError('InvalidParameterException', 'You must provide a SecretId.');
    const found = secrets.get(id) ?? [...secrets.values()].find((s) => s.name === id || (id.startsWith('arn:') && s.arn.startsWith(`${id}-`)));
    if (!found) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return found;
  };
  const seconds = (ms: number) => ms / 1000;

  function run(operation: Operation, input: Record<string, unknown>, accessKeyId: string): unknown {
    const check = (secret: Stored | undefined, action: string) => {
      const resource = secret?.arn ?? '*';
      const decision = authorize(accessKeyId, `secretsmanager:${action}`, resource);
      if (!decision.allowed) {
        throw new AwsError('AccessDeniedException', decision.message);
      }
    };
    switch (operation) {
      case 'GetSecretValue': {
        const secret = find(input.SecretId);
        check(secret, operation);
        if (input.VersionId !== undefined && input.VersionId !== secret.versionId) {
          throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for VersionId: " + String(input.VersionId));
        }
        if (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') {
          throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: " + String(input.VersionStage));
        }
        return {
          ARN: secret.arn, Name: secret.name, VersionId: secret.versionId, SecretString: secret.value,
          VersionStages: ['AWSCURRENT'], CreatedDate: seconds(secret.changed),
        };
      }
      case 'DescribeSecret': {
        const secret = find(input.SecretId);
        check(secret, operation);
        return describe(secret);
      }
      case 'PutSecretValue': {
        const secret = find(input.SecretId);
        check(secret, operation);
        if (typeof input.SecretString !== 'string') {
          throw new AwsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary (the local Secrets Manager keeps strings only).');
        }
        Object.assign(secret, { value: input.SecretString, versionId: typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID(), changed: Date.now() });
        return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId, VersionStages: ['AWSCURRENT'] };
      }
      case 'ListSecrets':
        check(undefined, operation);
        return { SecretList: [...secrets.values()].map(describe) };
    }
  }

  const describe = (secret: Stored) => ({
    ARN: secret.arn, Name: secret.name, ...(secret.description ? { Description: secret.description } : {}),
    CreatedDate: seconds(secret.created), LastChangedDate: seconds(secret.changed),
    VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
  });

  return {
    create(name, value, description) {
      const arn = localSecretArn(name);
      const now = Date.now();
      secrets.set(arn, { arn, name, value, versionId: randomUUID(), created: now, changed: now, ...(description ? { description } : {}) });
      return { arn, name };
    },
    async handle(req, res) {
      const answer = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(body));
      };
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const body = await readBody(req, 1024 * 1024);
        const accessKeyId = signedAccessKey(req.headers.authorization);
        if (req.method !== 'POST' || !target.startsWith('secretsmanager.')) {
          throw new AwsError('UnknownOperationException', 'The local Secrets Manager speaks the AWS JSON 1.1 protocol: POST with X-Amz-Target: secretsmanager.<Operation>.');
        }
        if (!accessKeyId) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
        if (!principalOf(accessKeyId)) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
        const operation = target.slice('secretsmanager.'.length);
        if (!(OPERATIONS as readonly string[]).includes(operation)) {
          throw new AwsError('UnknownOperationException', `The local Secrets Manager answers ${OPERATIONS.join(', ')}; not ${operation}.`);
        }
        let input: Record<string, unknown>;
        try {
          const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
          input = typeof parsed === 'object' && parsed !== null ? parsed as Record<string, unknown> : {};
        } catch {
          throw new AwsError('SerializationException', 'The request body is not JSON.');
        }
        answer(200, run(operation as Operation, input, accessKeyId));
      } catch (error) {
        if (error instanceof AwsError) answer(error.status, { __type: error.type, message: error.message }, error.type);
        else answer(500, { __type: 'InternalServiceError', message: (error as Error).message }, 'InternalServiceError');
      }
    },
  };
}
