// A fetch that answers from a script of recorded provider responses, in order, and keeps what it was asked.
// Every call must carry a timeout signal: a provider that can hang would stall the workflow's Lambda.
import { expect } from 'vitest';

export type ScriptedAnswer = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

export interface RecordedCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export function scriptedFetch(answers: ScriptedAnswer[]): { fetch: typeof globalThis.fetch; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({
      method: init?.method ?? 'GET', url: String(input), headers: init?.headers as Record<string, string>,
      ...(init?.body ? { body: JSON.parse(String(init.body)) } : {}),
    });
    expect(init?.signal, 'every call carries a timeout signal').toBeInstanceOf(AbortSignal);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected call ${init?.method} ${String(input)}`);
    if (answer instanceof Error) throw answer;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, ...(answer.headers ? { headers: answer.headers } : {}) });
  };
  return { fetch, calls };
}

/** The error a call fails with (the test fails when it does not). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}
