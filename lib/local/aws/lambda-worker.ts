// One function's sandbox (a worker thread of lambda-runtime.ts): its environment is its own (the function's
// credentials, so every SDK client it makes signs as its role), its handler module is loaded once and kept, and
// each `invoke` message gets a Lambda context and is answered with the outcome as Lambda reports it.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { functionArn, type InvokeMessage, type InvokeOutcome, type LambdaContext, type OutcomeMessage, type WorkerData } from './lambda-runtime';

type Handler = (event: unknown, context: LambdaContext) => Promise<unknown>;

const { handlersDir, name, timeoutMs } = workerData as WorkerData;
let loaded: Promise<Handler> | undefined;

function load(): Promise<Handler> {
  loaded ??= import(pathToFileURL(resolve(handlersDir, `${name}.ts`)).href).then((module: { handler?: Handler }) => {
    if (typeof module.handler !== 'function') throw new Error(`functions/handlers/${name}.ts exports no handler.`);
    return module.handler;
  });
  return loaded;
}

async function invoke(event: unknown): Promise<InvokeOutcome> {
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
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  try {
    const handler = await load();
    // The result crosses to the parent as Lambda serializes it: as JSON.
    const result = await handler(event, context);
    return { ok: true, result: result === undefined ? undefined : JSON.parse(JSON.stringify(result)) };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    return { ok: false, error: { errorType: err.name || 'Error', errorMessage: err.message } };
  }
}

parentPort!.on('message', (message: InvokeMessage) => {
  // The function's configuration as it is now (variables removed since are gone).
  for (const key of Object.keys(process.env)) if (!(key in message.env)) delete process.env[key];
  Object.assign(process.env, message.env);
  void invoke(message.event).then((outcome) => parentPort!.postMessage({ id: message.id, outcome } satisfies OutcomeMessage));
});
