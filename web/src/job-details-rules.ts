// What a job's details show, as pure rules: its parameters beside the trainer's, its times and durations, where it
// came from, the newer version "Train again" can use, and the progress chart's geometry.
import type { DatasetVersion, Job, JobHistoryPoint, Trainer } from '#domain/schemas';
import { formatEta } from '#domain/estimate-line';
import { jobDurations } from '#domain/job-history';
import { formatDuration } from './format';

export interface ParamRow {
  key: string;
  label: string;
  value: string;
  /** The trainer's default was used (the job did not set it). */
  isDefault: boolean;
}

const shown = (value: unknown): string => (typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value));

/** Every parameter the job ran with, in the trainer's order: what it set, then the defaults it left; keys the
 * trainer no longer describes come last under their own names. */
export function paramRows(trainer: Trainer | undefined, params: Job['params']): ParamRow[] {
  const rows: ParamRow[] = [];
  for (const param of trainer?.params ?? []) {
    if (param.key in params) rows.push({ key: param.key, label: param.label, value: shown(params[param.key]), isDefault: false });
    else if (param.default !== undefined) rows.push({ key: param.key, label: param.label, value: shown(param.default), isDefault: true });
  }
  const described = new Set(trainer?.params.map((p) => p.key));
  for (const [key, value] of Object.entries(params)) {
    if (!described.has(key)) rows.push({ key, label: key, value: shown(value), isDefault: false });
  }
  return rows.sort((a, b) => Number(a.isDefault) - Number(b.isDefault));
}

export interface TimeRow {
  label: string;
  at: string;
  /** How long the step before took: "waited 12 s" in the queue, "ran 8 min". */
  took?: string;
}

/** Queued, started and finished, with the wait and the run between them (the domain's durations); a job still
 * running counts to `now`. */
export function timeRows(job: Job, now: string): TimeRow[] {
  const d = jobDurations(job, new Date(now));
  const rows: TimeRow[] = [{ label: 'Queued', at: job.createdAt }];
  if (job.startedAt) rows.push({ label: 'Started', at: job.startedAt, took: `waited ${formatEta(d.waitingSeconds)}` });
  if (job.finishedAt) {
    rows.push({ label: FINISHED[job.status] ?? 'Finished', at: job.finishedAt, took: d.trainingSeconds === undefined ? `waited ${formatEta(d.waitingSeconds)}` : `ran ${formatEta(d.trainingSeconds)}` });
  } else if (d.trainingSeconds !== undefined) {
    rows.push({ label: 'Running for', at: now, took: formatEta(d.trainingSeconds) });
  }
  return rows;
}

const FINISHED: Partial<Record<Job['status'], string>> = { COMPLETED: 'Finished', FAILED: 'Failed', CANCELLED: 'Cancelled' };

/** Where the job came from, in words. */
export function originText(job: Pick<Job, 'origin' | 'scheduleId'>, schedules: readonly { id: string; name: string }[]): string {
  switch (job.origin) {
    case 'web': return 'Started in the web app';
    case 'api': return 'Started through the API (CLI or tooling)';
    case 's3': return 'Started by an S3 upload with a .train.json';
    case 'schedule': {
      const name = schedules.find((s) => s.id === job.scheduleId)?.name;
      return name ? `Started by the schedule “${name}”` : 'Started by a schedule';
    }
  }
}

/** The newest READY version after the one the job trained on, if the dataset has one. */
export function newerReadyVersion(versions: readonly DatasetVersion[], job: Pick<Job, 'datasetVersion'>): number | null {
  const newer = versions.filter((v) => v.status === 'READY' && v.version > job.datasetVersion).map((v) => v.version);
  return newer.length ? Math.max(...newer) : null;
}

export interface ChartGeometry {
  /** SVG polyline points of progress (0–100 %) over time. */
  progress: string;
  /** SVG polyline points of the queue position over time (scaled to the highest position), empty without one. */
  queue: string;
  /** The elapsed time the x axis spans. */
  span: string;
  /** The highest queue position seen. */
  maxQueue: number;
}

/** The history drawn in a `width` × `height` box: time along x, progress up y, the queue position as a second line.
 * A single point still draws a short flat line so a just-started job shows something. */
export function chartGeometry(history: readonly JobHistoryPoint[], width: number, height: number): ChartGeometry | null {
  if (!history.length) return null;
  const t0 = Date.parse(history[0]!.at);
  const t1 = Math.max(Date.parse(history.at(-1)!.at), t0 + 1000);
  const x = (at: string) => round(((Date.parse(at) - t0) / (t1 - t0)) * width);
  const yOf = (fraction: number) => round(height - Math.max(0, Math.min(1, fraction)) * height);
  const points = history.length === 1 ? [history[0]!, { ...history[0]!, at: new Date(t1).toISOString() }] : history;
  const progress = points.map((p) => `${x(p.at)},${yOf(p.fraction)}`).join(' ');
  const queued = points.filter((p) => p.queuePosition !== undefined);
  const maxQueue = Math.max(0, ...queued.map((p) => p.queuePosition!));
  const queue = queued.length ? queued.map((p) => `${x(p.at)},${yOf(maxQueue ? p.queuePosition! / maxQueue : 0)}`).join(' ') : '';
  return { progress, queue, span: formatDuration(history[0]!.at, new Date(t1).toISOString()), maxQueue };
}

const round = (n: number) => Math.round(n * 10) / 10;
