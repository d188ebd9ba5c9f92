// Runs the project's Lambda handlers the way the Lambda service does: each function in a sandbox of its own (a
// worker thread, lambda-worker.ts, started on its first invocation and kept), whose environment carries that
// function's own credentials (local-credentials.ts), so every AWS call it makes is signed as its role and the
// local services authorize it by the template's IAM (iam.ts). Its handler module is loaded once there, invoked
// with an event and a context, errors reported as { errorType, errorMessage }, and a response over its 6 MB quota
// refused as Lambda refuses it.
//
// Concurrent invocations of one function share its worker (and so its module state), where Lambda would give
// each its own execution environment; handlers keep no per-invocation state in module scope, so this is safe.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { principalCredentials } from './local-credentials';

export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

export type InvokeOutcome =
  | { ok: true; result: unknown }
  | { ok: false; error: { errorType: string; errorMessage: string } };

/** What a function's worker is started with, and the messages it exchanges (lambda-worker.ts). */
export interface WorkerData { handlersDir: string; name: string; timeoutMs: number }
export interface InvokeMessage { id: number; event: unknown; env: Record<string, string | undefined> }
export interface OutcomeMessage { id: number; outcome: InvokeOutcome }

interface Sandbox {
  worker: Worker;
  pending: Map<number, (outcome: InvokeOutcome) => void>;
}

const WORKER_ENTRY = new URL('./lambda-worker-entry.mjs', import.meta.url);

export class LambdaRuntime {
  private readonly sandboxes = new Map<string, Sandbox>();
  private invocations = 0;
  private stopped = false;

  constructor(private readonly handlersDir: string, private readonly timeoutMs = 900_000) {}

  /** Invokes a handler by its name (`functions/handlers/<name>.ts`) and reports the outcome as Lambda would. */
  invoke(name: string, event: unknown): Promise<InvokeOutcome> {
    if (!/^[a-z0-9-]+$/.test(name)) return Promise.resolve(failure('Error', `No handler named ${name}.`));
    if (this.stopped) return Promise.resolve(failure('Error', `The local cloud is stopping; ${name} was not invoked.`));
    const sandbox = this.sandboxOf(name);
    const id = ++this.invocations;
    return new Promise<InvokeOutcome>((resolve) => {
      sandbox.pending.set(id, resolve);
      sandbox.worker.postMessage({ id, event, env: environmentOf(name) } satisfies InvokeMessage);
    });
  }

  /** Like invoke, but throws the handler's error (for callers that are not the Lambda service). */
  async call(name: string, event: unknown): Promise<unknown> {
    const outcome = await this.invoke(name, event);
    if (!outcome.ok) {
      const error = new Error(outcome.error.errorMessage);
      error.name = outcome.error.errorType;
      throw error;
    }
    return outcome.result;
  }

  /** Whether stop() was called: callers need not report the invocations it cut short as failures. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Ends every function's worker; invocations still running are answered with an error. */
  async stop(): Promise<void> {
    this.stopped = true;
    const sandboxes = [...this.sandboxes.values()];
    this.sandboxes.clear();
    await Promise.all(sandboxes.map(async (s) => {
      await s.worker.terminate();
      settle(s, STOPPED);
    }));
  }

  private sandboxOf(name: string): Sandbox {
    const known = this.sandboxes.get(name);
    if (known) return known;
    const worker = new Worker(WORKER_ENTRY, {
      workerData: { handlersDir: this.handlersDir, name, timeoutMs: this.timeoutMs } satisfies WorkerData,
      env: environmentOf(name),
      execArgv: [],
    });
    const sandbox: Sandbox = { worker, pending: new Map() };
    worker.on('message', (message: OutcomeMessage) => {
      sandbox.pending.get(message.id)?.(withinResponseQuota(message.outcome));
      sandbox.pending.delete(message.id);
    });
    // A sandbox that crashed is replaced on the next invocation, as Lambda replaces an execution environment.
    const lost = (why: string) => {
      if (this.sandboxes.get(name) === sandbox) this.sandboxes.delete(name);
      // A worker ended by stop() has not crashed: its invocations were cut short by the local cloud stopping.
      settle(sandbox, this.stopped ? STOPPED : failure('Runtime.ExitError', `${name}'s sandbox ended: ${why}`));
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    // An idle worker does not keep the local cloud's process alive.
    worker.unref();
    this.sandboxes.set(name, sandbox);
    return sandbox;
  }
}

/**
 * A function's environment: the local cloud's, with the function's own credentials. Read again at each invocation,
 * as Lambda applies a function's current configuration (tests change a setting between invocations).
 */
function environmentOf(name: string): Record<string, string | undefined> {
  const credentials = principalCredentials(name);
  return { ...process.env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey };
}

function settle(sandbox: Sandbox, outcome: InvokeOutcome) {
  for (const resolve of sandbox.pending.values()) resolve(outcome);
  sandbox.pending.clear();
}

const failure = (errorType: string, errorMessage: string): InvokeOutcome => ({ ok: false, error: { errorType, errorMessage } });
const STOPPED = failure('Error', 'The local cloud stopped during the invocation.');

/** Lambda's quota for a synchronous invocation's response: 6 MB (6,291,556 bytes, as its error says). */
export const RESPONSE_QUOTA_BYTES = 6_291_556;

/** A result larger than the quota is Lambda's error, not the result: the HTTP API then answers 500. */
function withinResponseQuota(outcome: InvokeOutcome): InvokeOutcome {
  if (!outcome.ok || Buffer.byteLength(JSON.stringify(outcome.result ?? null)) <= RESPONSE_QUOTA_BYTES) return outcome;
  return failure('Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${RESPONSE_QUOTA_BYTES} bytes).`);
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const functionArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
/** The one state machine of the stack, as the local Step Functions names it. */
export const STATE_MACHINE_NAME = 'Training';
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}`;
/** A secret's ARN: its name and six characters, as AWS appends them; derived from the name, so that local IAM
 * (iam.ts) and the local Secrets Manager agree on it the template's reference to the same ARN. */
export function localSecretArn(name: string): string {
  const suffix = createHash('sha256').update(name).digest('base64url').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 6);
  return `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${name}-${suffix}`;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const stableId = (prefix: string, name: string) => `${prefix}${[...createHash('sha256').update(name).digest().subarray(0, 17)].map((b) => BASE32[b % 32]).join('')}`;
/** A role's RoleId (`AROA…`), stable: derived from its logical id, so that the template's `Fn::GetAtt [role, RoleId]`
 * (a function's environment, iam.ts) and the principal ids the local S3 records agree. */
export const localRoleId = (logicalId: string): string => stableId('AROA', logicalId);
/** An IAM user's UserId (`AIDA…`), stable in the same way; the developer key's is that of `developer`. */
export const localUserId = (name: string): string => stableId('AIDA', name);
export const localRoleArn = (roleName: string): string => `arn:aws:iam::${LOCAL_ACCOUNT}:role/${roleName}`;
/** An SQS queue's ARN, named after its logical id (the local cloud keeps a queue's messages in a file of that name). */
export const localQueueArn = (logicalId: string): string => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}`;
/** An EventBridge Scheduler schedule group's ARN. */
export const localScheduleGroupArn = (name: string): string => `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule-group/${name}`;
