// What a command prints. With --json stdout carries one JSON document and nothing else (notes go to stderr);
// otherwise tables and sentences. Progress bars are drawn only when stdout is a terminal and --json is off.
import cliProgress from 'cli-progress';

let resultWritten = false;
/** Whether a command's answer went to stdout already (main then prints no second JSON document for an error). */
export const wroteResult = () => resultWritten;

export interface OutputOptions {
  json?: boolean;
}

export class Output {
  readonly json: boolean;
  /** Whether live progress may be drawn: a terminal, and no machine output asked for. */
  readonly interactive: boolean;

  constructor(options: OutputOptions, private readonly stdout: NodeJS.WriteStream = process.stdout, private readonly stderr: NodeJS.WriteStream = process.stderr) {
    this.json = options.json === true;
    this.interactive = !this.json && stdout.isTTY === true;
  }

  /** The command's answer: `value` as JSON with --json, else the human text. */
  result(value: unknown, human: () => string | string[]): void {
    resultWritten = true;
    if (this.json) {
      this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      return;
    }
    const text = human();
    const lines = Array.isArray(text) ? text : [text];
    if (lines.length) this.stdout.write(`${lines.join('\n')}\n`);
  }

  /** A note while the command works: stdout for a person, stderr under --json (stdout stays pure JSON). */
  note(line: string): void {
    (this.json ? this.stderr : this.stdout).write(`${line}\n`);
  }

  /** A bar on stderr when interactive (bytes, speed, ETA), else nothing. */
  bytesBar(total: number, label: string): ByteProgress {
    if (!this.interactive) return { update() {}, stop() {} };
    const bar = new cliProgress.SingleBar({
      format: `${label} [{bar}] {percentage}% | {done} of {size} | {speed} | ETA {eta_formatted}`,
      stream: this.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 20, fps: 10,
    }, cliProgress.Presets.shades_classic);
    const started = Date.now();
    const payload = (value: number) => ({ done: formatBytes(value), size: formatBytes(total), speed: `${formatBytes(value / Math.max(0.001, (Date.now() - started) / 1000))}/s` });
    bar.start(Math.max(1, total), 0, payload(0));
    return {
      update: (value) => bar.update(Math.min(value, Math.max(1, total)), payload(value)),
      stop: () => bar.stop(),
    };
  }

  /** A bar for a job: step of total, ETA, queue position and status. */
  jobBar(): JobProgress {
    if (!this.interactive) return { update() {}, stop() {} };
    const bar = new cliProgress.SingleBar({
      format: 'Training [{bar}] {percentage}% | {status} | step {step}/{steps} | ETA {left}{queue}',
      stream: this.stderr, hideCursor: true, clearOnComplete: false, fps: 5,
    }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update: ({ status, fraction, step, totalSteps, etaSeconds, queuePosition }) => {
        const values = { status, step: step ?? '-', steps: totalSteps ?? '-', left: etaSeconds === undefined ? '-' : formatDuration(etaSeconds), queue: queuePosition === undefined ? '' : ` | queue position ${queuePosition}` };
        if (!started) bar.start(100, 0, values);
        started = true;
        bar.update(Math.round(fraction * 100), values);
      },
      stop: () => started && bar.stop(),
    };
  }
}

export interface ByteProgress {
  update(value: number): void;
  stop(): void;
}

export interface JobProgress {
  update(state: { status: string; fraction: number; step?: number; totalSteps?: number; etaSeconds?: number; queuePosition?: number }): void;
  stop(): void;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A plain-text table: a header row and columns padded to their widest cell. */
export function table(headers: string[], rows: (string | number | undefined)[][]): string[] {
  const cells = rows.map((row) => headers.map((_h, i) => String(row[i] ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)];
}
