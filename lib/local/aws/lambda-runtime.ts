// Runs the project's Lambda handlers in this process, the way the Lambda service would: one module per
// handler, loaded once, invoked with an event and a context, errors reported as { errorType, errorMessage }.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Handler = (event: unknown, context: LambdaContext) => Promise<unknown>;

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

export class LambdaRuntime {
  private readonly modules = new Map<string, Promise<Handler>>();

  constructor(private readonly handlersDir: string, private readonly timeoutMs = 900_000) {}

  /** Invokes a handler by its name (`functions/handlers/<name>.ts`) and reports the outcome as Lambda would. */
  async invoke(name: string, event: unknown): Promise<InvokeOutcome> {
    const started = Date.now();
    const context: LambdaContext = {
      awsRequestId: randomUUID(),
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: functionArn(name),
      memoryLimitInMB: '1024',
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, this.timeoutMs - (Date.now() - started)),
    };
    try {
      const handler = await this.load(name);
      return { ok: true, result: await handler(event, context) };
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      return { ok: false, error: { errorType: err.name || 'Error', errorMessage: err.message } };
    }
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

  private load(name: string): Promise<Handler> {
    if (!/^[a-z0-9-]+$/.test(name)) return Promise.reject(new Error(`No handler named ${name}.`));
    let loaded = this.modules.get(name);
    if (!loaded) {
      const file = pathToFileURL(resolve(this.handlersDir, `${name}.ts`)).href;
      loaded = import(file).then((module: { handler?: Handler }) => {
        if (typeof module.handler !== 'function') throw new Error(`functions/handlers/${name}.ts exports no handler.`);
        return module.handler;
      });
      this.modules.set(name, loaded);
    }
    return loaded;
  }
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const functionArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
/** The one state machine of the stack, as the local Step Functions names it. */
export const STATE_MACHINE_NAME = 'Training';
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}`;
