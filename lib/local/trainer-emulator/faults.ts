// Faults the trainer emulator injects, chosen per request. A test picks them either in the request itself
// (the input field `emulator_faults`: the fal body, or Replicate's `input`) or ahead of time with
// POST /__emulator/faults {"match": "<text in the request body>", "faults": {...}}, which applies to the next
// submission whose body contains `match` (any submission when absent) — the way to reach a request the
// workflow submits. GET /__emulator/requests/{id} then lists in `faultsApplied` what was done and when.
//
// Examples (all counts are per request):
//   { "errorBursts": { "status": { "count": 3, "status": 503, "errorType": "runner_scheduling_failure" } } }
//   { "errorBursts": { "submit": { "count": 2, "status": 429 } } }          rate limited twice, then accepted
//   { "delays": { "status": { "ms": 30000, "count": 1 } } }                 one status answer held past the client's timeout
//   { "malformed": { "result": { "kind": "invalid-json" } } }               the first result answer is not JSON
//   { "forgetAtStep": 50 }                                                  from step 50 on every call answers 404
//   { "failAtStep": 20, "message": "CUDA out of memory" }                   the training crashes at step 20
//   { "loraMegabytes": 64, "downloadKBps": 4096 }                           a 64 MB LoRA served at 4 MB/s
//   { "resultExpiresAfterMs": 0 }                                           the result is gone (404) as soon as it exists
//   { "cancelIgnoredSteps": 100 }                                           cancel accepted, training runs 100 more steps
//   { "completeOnCancel": "accepted" }                                      the training completes the moment cancel arrives

/** The calls a fault can target. `file` is the download of the LoRA (or Replicate's archive). */
export type EmulatorCall = 'submit' | 'status' | 'result' | 'cancel' | 'file';

export interface ErrorBurst {
  /** How many answers of this call are errors before normal ones. */
  count: number;
  /** @default 503 */
  status?: number;
  /** fal `error_type` (body and X-Fal-Error-Type). @default runner_scheduling_failure for 503, request_timeout for 504,
   * none for 429; on `result` and `file` none, and the body is a gateway's HTML page rather than fal's JSON. */
  errorType?: string;
  /** Sets X-Fal-Retryable. */
  retryable?: boolean;
}

export interface EmulatorFaults {
  /** Fail the training when it reaches this step, as a crashed runner would. */
  failAtStep?: number;
  /** The failure's detail message. */
  message?: string;
  /** The failure's fal error_type. @default runner_server_error */
  failErrorType?: string;
  /** The HTTP status of the failed result. @default 500 */
  failStatus?: number;
  /** N error answers (5xx, 429) per call before normal ones. */
  errorBursts?: Partial<Record<EmulatorCall, ErrorBurst>>;
  /** Hold the first `count` (default 1) answers of a call for `ms` (longer than the client waits = a timeout).
   * The call's effect happens at once (a held submit still creates the request), only the answer is late. */
  delays?: Partial<Record<EmulatorCall, { ms: number; count?: number }>>;
  /** The first `count` (default 1) answers of a call are not JSON, or are JSON without their fields. */
  malformed?: Partial<Record<Exclude<EmulatorCall, 'file'>, { kind: 'invalid-json' | 'missing-fields'; count?: number }>>;
  /** From this training step on the trainer has forgotten the request: status, result, cancel and file answer 404.
   * 0 forgets it right after the submit is answered. */
  forgetAtStep?: number;
  /** The result (and its files) answer 404 this many ms after completion, as fal's expire. */
  resultExpiresAfterMs?: number;
  /** @default 404 */
  resultExpiredStatus?: 404 | 410;
  /** Size of the LoRA file in MB (a valid safetensors with a padding tensor), served streamed. */
  loraMegabytes?: number;
  /** Serve the LoRA (or archive) at this many KB per second. */
  downloadKBps?: number;
  /** A cancel is accepted but the training keeps running this many seconds… */
  cancelIgnoredSeconds?: number;
  /** …or this many steps (whichever is set; both: the later). It may complete meanwhile. */
  cancelIgnoredSteps?: number;
  /** The training completes at the moment the cancel arrives. 'accepted' (or true): the cancel is answered as
   * requested (fal 202 CANCELLATION_REQUESTED, Replicate's training object) though the LoRA exists;
   * 'already-completed': the cancel is answered as too late (fal 400 ALREADY_COMPLETED). */
  completeOnCancel?: boolean | 'accepted' | 'already-completed';
}

/** One thing the emulator did on purpose, in the request's record. */
export interface AppliedFault {
  fault: 'error-burst' | 'delay' | 'malformed' | 'forgotten' | 'failed-at-step' | 'result-expired' | 'large-lora'
    | 'slow-download' | 'cancel-ignored' | 'completed-on-cancel';
  call?: EmulatorCall;
  at: string;
  detail?: string;
}

/** What to do with one answer. */
export interface AnswerPlan {
  error?: { status: number; body: unknown; headers: Record<string, string> };
  /** The error's body as text, instead of JSON (a gateway's HTML page). */
  raw?: string;
  malformed?: 'invalid-json' | 'missing-fields';
  delayMs?: number;
}

export function parseFaults(value: unknown): EmulatorFaults {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as EmulatorFaults) : {};
}

/** Counts calls per kind and decides, from the faults, how each answer is spoiled (and records it). */
export class FaultCounter {
  readonly calls: Partial<Record<EmulatorCall, number>> = {};

  constructor(
    private readonly faults: () => EmulatorFaults,
    private readonly record: (fault: AppliedFault) => void,
  ) {}

  next(call: EmulatorCall, protocol: 'fal' | 'replicate'): AnswerPlan {
    const index = (this.calls[call] = (this.calls[call] ?? 0) + 1);
    const faults = this.faults();
    const plan: AnswerPlan = {};
    const at = new Date().toISOString();
    const burst = faults.errorBursts?.[call];
    if (burst && index <= burst.count) {
      const status = burst.status ?? 503;
      // A result or file fetch that fails is the gateway's trouble, not the training's: it says so in plain text
      // (a fal JSON error body on a result is the training's own outcome), unless an error type is asked for.
      const gateway = (call === 'result' || call === 'file') && burst.errorType === undefined && status !== 429;
      const type = burst.errorType ?? (gateway ? undefined : status === 503 ? 'runner_scheduling_failure' : status === 504 ? 'request_timeout' : undefined);
      const headers: Record<string, string> = {};
      if (status === 429) headers['retry-after'] = '1';
      let body: unknown;
      if (gateway) {
        plan.raw = `<html><body><h1>${status} Bad Gateway</h1></body></html>`;
        headers['content-type'] = 'text/html';
      } else if (protocol === 'fal') {
        body = { detail: status === 429 ? 'Too many requests' : `Injected ${status} (${index} of ${burst.count})`, ...(type ? { error_type: type } : {}) };
        if (type) headers['x-fal-error-type'] = type;
        if (burst.retryable !== undefined) headers['x-fal-retryable'] = String(burst.retryable);
      } else {
        body = { title: status === 429 ? 'Too Many Requests' : 'Service Unavailable', detail: `Injected ${status} (${index} of ${burst.count})`, status };
      }
      plan.error = { status, body, headers };
      this.record({ fault: 'error-burst', call, at, detail: `HTTP ${status} (${index} of ${burst.count})` });
    }
    const malformed = call === 'file' ? undefined : faults.malformed?.[call];
    if (!plan.error && malformed && index <= (malformed.count ?? 1)) {
      plan.malformed = malformed.kind;
      this.record({ fault: 'malformed', call, at, detail: malformed.kind });
    }
    const delay = faults.delays?.[call];
    if (delay && index <= (delay.count ?? 1)) {
      plan.delayMs = delay.ms;
      this.record({ fault: 'delay', call, at, detail: `answer held ${delay.ms} ms` });
    }
    return plan;
  }
}
