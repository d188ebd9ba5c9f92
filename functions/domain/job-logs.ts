// The trainer's log lines as a job keeps them: the last JOB_LOG_LINES_MAX, each cut to JOB_LOG_LINE_CHARS_MAX,
// made safe to show (no terminal escapes, no bidi overrides), within a byte budget that keeps the stored item
// far below DynamoDB's 400 KB. Whatever a trainer answers (not an array, huge lines) is bounded, never thrown. Pure.
import { JOB_LOG_LINE_CHARS_MAX, JOB_LOG_LINES_MAX, type JobLogs } from './schemas';

/** A line as a provider reads it; `at` when the trainer stamps its lines. */
export interface TrainerLogLine {
  message: string;
  at?: string;
}

/** The stored lines' budget, UTF-8 bytes (a line is at most 4 KB, 200 of them could reach 800 KB). */
export const JOB_LOG_BYTES_MAX = 256 * 1024;

// ANSI escape sequences (colours, cursor moves), then any other C0/C1 control, bidi controls and lone surrogates.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-_]/gu;
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/gu;

/** One line made safe single-line text, cut to the line bound (an ellipsis says it was cut). */
export function cleanLogMessage(message: string, max = JOB_LOG_LINE_CHARS_MAX): string {
  const text = message.replace(ANSI, '').replace(/\t/g, ' ').replace(UNSAFE, '').trimEnd();
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A trainer's timestamp as ISO (fal's have no zone: UTC), or undefined when it is not a time. */
export function logTime(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = typeof value === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+$/.test(value) ? `${value}Z` : value;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** fal's `logs: [{message, timestamp, level}]`, whatever came: anything not a line is skipped. */
export function falLogLines(logs: unknown): TrainerLogLine[] {
  if (!Array.isArray(logs)) return [];
  const lines: TrainerLogLine[] = [];
  // Only the tail is kept: a huge array is not walked whole.
  for (const entry of logs.slice(-JOB_LOG_LINES_MAX * 2)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { message, timestamp } = entry as { message?: unknown; timestamp?: unknown };
    if (typeof message !== 'string') continue;
    const at = logTime(timestamp);
    lines.push({ message, ...(at ? { at } : {}) });
  }
  return lines;
}

/** Replicate's `logs`, one string: its lines, a progress bar redrawn with \r kept as its last drawing. */
export function textLogLines(logs: unknown): TrainerLogLine[] {
  if (typeof logs !== 'string' || !logs) return [];
  // Only the tail is split: a log of many megabytes is not walked whole.
  const tail = logs.length > JOB_LOG_BYTES_MAX * 2 ? logs.slice(-JOB_LOG_BYTES_MAX * 2) : logs;
  return tail.split('\n')
    .map((line) => line.split('\r').filter((part) => part.trim()).at(-1) ?? '')
    .filter((line) => line.trim())
    .map((message) => ({ message }));
}

/** The last lines within every bound; lines without a time get `fallbackAt`. */
export function boundLogs(lines: readonly TrainerLogLine[], fallbackAt: string): JobLogs {
  const kept: JobLogs['lines'] = [];
  const encoder = new TextEncoder();
  let bytes = 0;
  let i = lines.length - 1;
  for (; i >= 0 && kept.length < JOB_LOG_LINES_MAX; i--) {
    const message = cleanLogMessage(lines[i]!.message);
    if (!message) continue;
    bytes += encoder.encode(message).length + 32;
    if (bytes > JOB_LOG_BYTES_MAX) break;
    kept.push({ at: lines[i]!.at ?? fallbackAt, message });
  }
  kept.reverse();
  const dropped = lines.slice(0, Math.max(0, i + 1)).some((line) => cleanLogMessage(line.message, 8) !== '');
  return { lines: kept, ...(dropped ? { truncated: true } : {}) };
}
