// The Lambda Invoke API (POST /2015-03-31/functions/{name}/invocations) over HTTP, so that
// aws-local-stepfunctions invokes the state machine's tasks with the real Lambda client, as AWS would. With an
// `iam`, the caller's key must be allowed lambda:InvokeFunction on the function's ARN.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { functionArn, type LambdaRuntime } from './lambda-runtime';
import { readBody } from '#local/http-util';
import type { Authorizer } from './iam';
import { signedAccessKey } from './local-credentials';

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export function lambdaApi(runtime: LambdaRuntime, iam?: Authorizer) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const match = INVOKE.exec(new URL(req.url ?? '/', 'http://local').pathname);
    if (req.method !== 'POST' || !match) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      res.end(JSON.stringify({ message: 'Function not found.' }));
      return;
    }
    const name = functionName(decodeURIComponent(match[1]!));
    if (iam) {
      const accessKeyId = signedAccessKey(req.headers.authorization);
      const decision = accessKeyId
        ? iam.authorize(accessKeyId, 'lambda:InvokeFunction', functionArn(name))
        : { allowed: false as const, unrecognized: true as const, message: 'The security token included in the request is invalid.' };
      if (!decision.allowed) {
        const type = decision.unrecognized ? 'UnrecognizedClientException' : 'AccessDeniedException';
        res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': type });
        res.end(JSON.stringify({ Type: 'User', message: decision.message }));
        return;
      }
    }
    const body = await readBody(req);
    const event = body.length ? JSON.parse(body.toString('utf8')) : {};
    const outcome = await runtime.invoke(name, event);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
    if (!outcome.ok) headers['x-amz-function-error'] = 'Unhandled';
    res.writeHead(200, headers);
    res.end(JSON.stringify(outcome.ok ? outcome.result ?? null : outcome.error));
  };
}

/** Accepts a bare name or a function ARN, as the real API does. */
function functionName(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.split(':')[6] ?? nameOrArn : nameOrArn;
}
