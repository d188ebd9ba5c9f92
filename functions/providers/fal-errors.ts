// What a fal error means for a Loraworks job: retry later (TrainerUnavailable) or fail with a sentence a person
// can act on (TrainerRejected). fal says it three ways: the HTTP status, the
// infrastructure `error_type` (body, and the X-Fal-Error-Type header), and X-Fal-Retryable on model errors.
import { TrainerRejected, TrainerUnavailable } from './provider';

export interface FalAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** fal's infrastructure error types that a later attempt can get past (the runner or the platform, not the input). */
const TRANSIENT_TYPES = new Set([
  'request_timeout', 'startup_timeout', 'runner_scheduling_failure', 'runner_connection_timeout', 'runner_disconnected',
  'runner_connection_refused', 'runner_connection_error', 'runner_incomplete_response', 'internal_error',
]);

/** What each error type means, in words for the person whose job it is. */
const TYPE_MESSAGES: Record<string, string> = {
  request_timeout: 'fal could not start the training before its deadline.',
  startup_timeout: 'The trainer\'s GPU machine did not start in time.',
  runner_scheduling_failure: 'fal could not find a free GPU machine for the training.',
  runner_connection_timeout: 'fal lost the connection to the trainer\'s machine (timeout).',
  runner_disconnected: 'The trainer\'s machine disconnected during the training.',
  runner_connection_refused: 'The trainer\'s machine refused fal\'s connection.',
  runner_connection_error: 'fal could not talk to the trainer\'s machine.',
  runner_incomplete_response: 'The trainer\'s machine stopped in the middle of its answer.',
  runner_server_error: 'The trainer crashed during the training.',
  client_disconnected: 'The request was dropped before it finished.',
  client_cancelled: 'The training was cancelled.',
  bad_request: 'fal refused the request as malformed.',
  internal_error: 'fal had an internal error.',
};

/** Model validation types (FastAPI `detail[].type`) that say what to change in the dataset or settings. */
const DETAIL_ADVICE: Record<string, string> = {
  image_too_large: 'Make the images smaller (fewer pixels or a smaller file) and upload the dataset again.',
  image_too_small: 'Use larger images and upload the dataset again.',
  file_download_error: 'The trainer could not download the dataset; start the job again, and if it keeps failing upload the dataset again.',
  invalid_archive: 'Upload the dataset again as a .zip archive.',
  missing: 'Loraworks sent no value for a field the trainer requires; report this.',
};

export function falErrorType(answer: FalAnswer): string | undefined {
  const fromBody = (answer.body as { error_type?: unknown } | undefined)?.error_type;
  return typeof fromBody === 'string' && fromBody ? fromBody : answer.headers.get('x-fal-error-type') ?? undefined;
}

const retryableHeader = (answer: FalAnswer): boolean | undefined => {
  const value = answer.headers.get('x-fal-retryable')?.toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
};

interface DetailItem {
  loc?: unknown[];
  msg?: string;
  type?: string;
}

const detailItems = (body: unknown): DetailItem[] => {
  const detail = (body as { detail?: unknown } | undefined)?.detail;
  return Array.isArray(detail) ? (detail.filter((item) => typeof item === 'object' && item !== null) as DetailItem[]) : [];
};

/** A person-readable message from a fal error body: `detail` as a string or FastAPI's list of {loc, msg}, one per field. */
export function falErrorMessage(body: unknown, status: number): string {
  const record = (typeof body === 'object' && body !== null ? body : {}) as { detail?: unknown; message?: unknown; error?: unknown };
  const { detail } = record;
  if (typeof detail === 'string' && detail) return detail;
  const items = detailItems(body);
  if (items.length > 0) {
    return items.map((item) => {
      const field = Array.isArray(item.loc) ? item.loc.filter((part) => part !== 'body').join('.') : '';
      return field ? `${field}: ${item.msg ?? 'invalid'}` : item.msg ?? 'invalid';
    }).join('; ');
  }
  for (const candidate of [record.message, record.error]) if (typeof candidate === 'string' && candidate) return candidate;
  return `fal answered HTTP ${status}.`;
}

/** The fields fal complained about, per field, for a 422: [{ field: 'images_data_url', message }]. */
export function falFieldErrors(body: unknown): { field: string; message: string }[] {
  return detailItems(body).map((item) => ({
    field: Array.isArray(item.loc) ? item.loc.filter((part) => part !== 'body').join('.') : '',
    message: item.msg ?? 'invalid',
  }));
}

/** Whether a refused call is worth repeating: X-Fal-Retryable wins, then the error type, then the HTTP status. */
export function isTransient(answer: FalAnswer): boolean {
  const header = retryableHeader(answer);
  if (header !== undefined) return header;
  const type = falErrorType(answer);
  if (type && TRANSIENT_TYPES.has(type)) return true;
  if (type) return false;
  return answer.status === 429 || answer.status === 408 || answer.status >= 500;
}

/** One sentence on what happened, from the error type and fal's own detail, plus what to do where we know. */
export function describeFalError(answer: FalAnswer): string {
  const type = falErrorType(answer);
  const detail = falErrorMessage(answer.body, answer.status);
  const summary = type ? TYPE_MESSAGES[type] : undefined;
  const advice = [...new Set(detailItems(answer.body).map((item) => (item.type ? DETAIL_ADVICE[item.type] : undefined)).filter(Boolean))];
  const bare = (sentence: string) => sentence.replace(/\.$/, '');
  const parts = [summary && bare(summary) !== bare(detail) ? `${bare(summary)} (${bare(detail)}).` : summary ?? withStop(detail)];
  parts.push(...(advice as string[]));
  if (!advice.length && retryableHeader(answer) === true) parts.push('Starting the job again may work.');
  return parts.join(' ');
}

const withStop = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/** The error for a refused queue call (submit, status, cancel, listing). */
export function falRefusal(answer: FalAnswer, action: string): Error {
  if (isTransient(answer)) return new TrainerUnavailable(`fal could not ${action} right now (HTTP ${answer.status}): ${describeFalError(answer)}`);
  const detail = falErrorMessage(answer.body, answer.status);
  if (answer.status === 401 || answer.status === 403) {
    return new TrainerRejected(`fal refused the API key while trying to ${action} (HTTP ${answer.status}): ${withStop(detail)} Check the trainer key.`, 'TRAINER_AUTH');
  }
  if (answer.status === 404) {
    return new TrainerRejected(`fal does not know this training any more (${withStop(detail)}) It may have expired or been removed; start the job again.`, 'TRAINER_NOT_FOUND');
  }
  const code = answer.status === 422 ? 'TRAINER_INVALID_INPUT' : falErrorType(answer)?.toUpperCase() ?? 'TRAINER_REJECTED';
  return new TrainerRejected(`fal refused to ${action}: ${describeFalError(answer)}`, code);
}
