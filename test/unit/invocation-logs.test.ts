import './handler-env';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#adapters/logger';
import { jobItem } from './handler-env';

vi.mock('#adapters/trainers', () => ({
  providerFor: async () => ({ cancel: async () => { logger.info('cancelling at the trainer'); return 'cancelled'; } }),
}));

const { handler: markFailed } = await import('#handlers/training-mark-failed');
const { handler: wsMessage } = await import('#handlers/ws-message');

const ddb = mockClient(DynamoDBDocumentClient);
const contextOf = (functionName: string) => ({
  functionName, awsRequestId: `${functionName}-request`, invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
  memoryLimitInMB: '256', functionVersion: '$LATEST', getRemainingTimeInMillis: () => 30_000,
}) as unknown as Context;
const failedState = { jobId: '01JOB', owner: 'alice', phase: 'failed', polls: 1, waitSeconds: 0, error: { Error: 'TrainerFailed', Cause: 'oom' } };
const unknownMessage = { body: 'hello', requestContext: { connectionId: 'c-1' } };

/** The JSON lines the logger printed (to stdout, and warnings to stderr) while `run` ran, in order. */
async function linesOf(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const printed: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) => vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  }) as typeof stream.write));
  try {
    await run();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
  return printed.join('').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(() => logger.setLogLevel('INFO'));
afterAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({ Item: jobItem({ status: 'RUNNING', remote: { provider: 'fal', endpoint: 'fal-ai/x', requestId: 'r1' } }) });
  ddb.on(UpdateCommand).resolves({});
});

describe('log lines of handlers sharing one process (the local cloud)', () => {
  it('carry each invocation\'s own function name, and no job id left over from the one before', async () => {
    const lines = await linesOf(async () => {
      await markFailed(failedState, contextOf('training-mark-failed'));
      await wsMessage(unknownMessage, contextOf('ws-message'));
    });
    const failed = lines.filter((line) => line.function_name === 'training-mark-failed');
    const ignored = lines.find((line) => line.message === 'Ignored an unknown WebSocket message');
    expect(failed.map((line) => line.message)).toEqual(['Training failed', 'cancelling at the trainer']);
    expect(failed.every((line) => line.jobId === '01JOB')).toBe(true);
    expect(ignored).toMatchObject({ function_name: 'ws-message', function_request_id: 'ws-message-request', connectionId: 'c-1' });
    expect(ignored).not.toHaveProperty('jobId');
  });

  it('keep two invocations running at once apart', async () => {
    const lines = await linesOf(() => Promise.all([
      markFailed(failedState, contextOf('training-mark-failed')),
      wsMessage(unknownMessage, contextOf('ws-message')),
    ]));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      if (line.function_name === 'ws-message') expect(line).not.toHaveProperty('jobId');
      else expect(line).toMatchObject({ function_name: 'training-mark-failed', jobId: '01JOB' });
    }
  });
});
