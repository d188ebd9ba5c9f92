// One HTTP call to a provider's JSON API: a deadline, the key, and an answer whether or not its body parses.
// A call that gets no answer at all is TrainerUnavailable (the workflow retries it).
import { TrainerUnavailable } from './provider';

export interface JsonCall {
  fetch: typeof fetch;
  url: string;
  method: string;
  body?: unknown;
  /** The authorization header's value, when the provider has a key. */
  authorization?: string;
  timeoutMs: number;
  /** The provider's name and what the call was for, for the message when there is no answer. */
  who: string;
  action: string;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
  headers: Headers;
  /** The body was not JSON (a proxy's error page, a cut-off answer). */
  malformed: boolean;
}

export async function callJson(call: JsonCall): Promise<JsonAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (call.authorization) headers.authorization = call.authorization;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  let text: string;
  try {
    response = await call.fetch(call.url, {
      method: call.method, headers, signal: AbortSignal.timeout(call.timeoutMs),
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    });
    text = await response.text();
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${call.timeoutMs / 1000} s` : (error as Error).message;
    throw new TrainerUnavailable(`${call.who} could not be reached to ${call.action}: ${reason}.`);
  }
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers, malformed: false };
  } catch {
    return { status: response.status, body: undefined, headers: response.headers, malformed: true };
  }
}
