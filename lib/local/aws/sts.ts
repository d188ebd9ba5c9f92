// A local STS: the Query API (form POST, `Action=AssumeRole&Version=2011-06-15`, XML answers) for AssumeRole,
// which hands out sessions of the template's roles (local-credentials.ts: `ASIA…` keys whose token carries the
// role, the session name, the session policy and the expiry). The caller is known by the access key it signed
// with: its own policies must allow sts:AssumeRole on the role and the role's trust policy must name it (iam.ts).
// Errors as STS answers them: AccessDenied (403), MalformedPolicyDocument, ValidationError, InvalidClientTokenId,
// MissingAuthenticationToken, InvalidAction.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '#local/http-util';
import { type LocalIam, sessionPolicyProblem } from './iam';
import { assumedRoleCredentials, signedAccessKey } from './local-credentials';

export interface LocalStsOptions {
  iam: Pick<LocalIam, 'authorizeAssumeRole' | 'assumableRole'>;
  /** The clock sessions start from. @default the system clock */
  now?: () => Date;
}

class StsError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** STS's limits: RoleSessionName, the packed session policy, a session's shortest life. */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MAX_POLICY_CHARS = 2048;
const MIN_SESSION_SECONDS = 900;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export function localSts(options: LocalStsOptions) {
  const now = options.now ?? (() => new Date());

  function assumeRole(params: URLSearchParams, accessKeyId: string, sessionToken: string | undefined): string {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const policy = params.get('Policy') ?? undefined;
    const durationText = params.get('DurationSeconds');
    const problems: string[] = [];
    if (!ROLE_ARN.test(roleArn)) problems.push(`Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must be a role ARN (arn:aws:iam::<account>:role/<name>)`);
    if (!SESSION_NAME.test(sessionName)) problems.push(`Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`);
    const duration = durationText === null ? 3600 : Number(durationText);
    if (!Number.isInteger(duration) || duration < MIN_SESSION_SECONDS) problems.push(`Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_SESSION_SECONDS}`);
    if (problems.length) throw new StsError('ValidationError', `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`);
    if (policy !== undefined) {
      if (policy.length > MAX_POLICY_CHARS) throw new StsError('PackedPolicyTooLarge', `The session policy is ${policy.length} characters; at most ${MAX_POLICY_CHARS} are allowed.`);
      const problem = sessionPolicyProblem(policy);
      if (problem) throw new StsError('MalformedPolicyDocument', problem);
    }

    const decision = options.iam.authorizeAssumeRole(accessKeyId, sessionToken, roleArn);
    if (!decision.allowed) {
      if (decision.unrecognized) throw new StsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      throw new StsError('AccessDenied', decision.message, 403);
    }
    const role = options.iam.assumableRole(roleArn)!;
    if (duration > role.maxSessionSeconds) {
      throw new StsError('ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role (${role.maxSessionSeconds} seconds).`);
    }
    const expiresAt = new Date(Math.floor(now().getTime() / 1000) * 1000 + duration * 1000);
    const credentials = assumedRoleCredentials({ roleArn, role: role.id, sessionName, ...(policy === undefined ? {} : { policy }), expiresAt });
    return `<AssumeRoleResponse xmlns="${XMLNS}">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>${role.roleId}:${xml(sessionName)}</AssumedRoleId>
      <Arn>${xml(roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/'))}/${xml(sessionName)}</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${credentials.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${xml(credentials.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${xml(credentials.sessionToken)}</SessionToken>
      <Expiration>${expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration>
    </Credentials>
    ${policy === undefined ? '' : `<PackedPolicySize>${Math.ceil((policy.length / MAX_POLICY_CHARS) * 100)}</PackedPolicySize>`}
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
  }

  return {
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const requestId = randomUUID();
      const answer = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        res.end(body);
      };
      try {
        const body = await readBody(req, 64 * 1024);
        const params = new URLSearchParams(req.method === 'POST' ? body.toString('utf8') : new URL(req.url ?? '/', 'http://sts').search);
        const accessKeyId = signedAccessKey(req.headers.authorization, req.url);
        if (!accessKeyId) throw new StsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
        const token = req.headers['x-amz-security-token'];
        const action = params.get('Action');
        if (action !== 'AssumeRole') throw new StsError('InvalidAction', `The local STS answers AssumeRole; not ${action ?? '(no Action)'}.`);
        answer(200, assumeRole(params, accessKeyId, typeof token === 'string' ? token : undefined));
      } catch (error) {
        const e = error instanceof StsError ? error : new StsError('InternalFailure', (error as Error).message, 500);
        answer(e.status, `<ErrorResponse xmlns="${XMLNS}">
  <Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code><Message>${xml(e.message)}</Message></Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>`);
      }
    },
  };
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
