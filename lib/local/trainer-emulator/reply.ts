// An answer of the emulator before it is sent: JSON, a raw (malformed) body, a streamed file, or an event stream
// written as things happen, possibly held back for a while (the delay faults). Routes return one; the server
// sends it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnswerPlan } from './faults';
import { streamFile, type StoredFile } from './files';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of JSON (a malformed answer). */
  raw?: string;
  file?: { stored: StoredFile; kbps?: number };
  /** Writes the body as it comes (after the status and headers), ending the response when it is done. */
  stream?: (res: ServerResponse) => void;
  delayMs?: number;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, body, headers });

/** Applies a spoiling plan to a normal answer: an error instead, a malformed body, a held answer. */
export function spoil(reply: Reply, plan: AnswerPlan, stripped: () => unknown = () => ({})): Reply {
  if (plan.error) {
    return { ...json(plan.error.status, plan.error.body, plan.error.headers), ...(plan.raw ? { raw: plan.raw } : {}), ...(plan.delayMs ? { delayMs: plan.delayMs } : {}) };
  }
  let out = reply;
  if (plan.malformed === 'invalid-json') out = { ...reply, raw: '{"status": "IN_PROGR' };
  if (plan.malformed === 'missing-fields') out = { ...reply, body: stripped() };
  return plan.delayMs ? { ...out, delayMs: plan.delayMs } : out;
}

/** The answer a planned error replaces, before the call has any effect. */
export const spoiledAtOnce = (plan: AnswerPlan): Reply | undefined => (plan.error ? spoil(json(200, {}), plan) : undefined);

/** Answers held by the delay faults, released at once when the emulator stops. */
export class HeldAnswers {
  private readonly held = new Set<{ timer: NodeJS.Timeout; release: () => void }>();

  hold(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const hold = { timer: setTimeout(() => { this.held.delete(hold); resolve(); }, ms), release: resolve };
      this.held.add(hold);
    });
  }

  releaseAll(): void {
    for (const hold of this.held) {
      clearTimeout(hold.timer);
      hold.release();
    }
    this.held.clear();
  }
}

export async function sendReply(res: ServerResponse, req: IncomingMessage, reply: Reply, held: HeldAnswers): Promise<void> {
  if (reply.delayMs) {
    await held.hold(reply.delayMs);
    if (res.destroyed) return;
  }
  if (reply.file) {
    await streamFile(res, reply.file.stored, { ...(reply.file.kbps ? { kbps: reply.file.kbps } : {}), head: req.method === 'HEAD' });
    return;
  }
  if (reply.stream) {
    res.writeHead(reply.status, reply.headers);
    reply.stream(res);
    return;
  }
  const bytes = Buffer.from(reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': String(bytes.byteLength), ...reply.headers });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
