import type { Adapter, ApiToken, CreatedToken, Dataset, DatasetVersion, Job, JobEstimate, JobLogs, Schedule, ScheduleRun, Trainer, WebConfig } from '#domain/schemas';
import type { ZipPreview } from './zip-preview';
import type { LinkState } from './ws';

export type RawValue = string | boolean;

export interface UploadState {
  phase: 'idle' | 'uploading' | 'failed';
  fileName?: string;
  sizeBytes?: number;
  fraction: number;
  error?: string;
  preview?: ZipPreview;
}

/** The API-token panel. `created` holds the one token whose secret is on screen; it is never stored anywhere. */
export interface TokenPanelState {
  open: boolean;
  phase: 'idle' | 'loading' | 'ready' | 'error';
  /** Newest first. */
  tokens: ApiToken[];
  error: string | null;
  /** Messages from a refused create, by request field ("name", "expiresInDays"). */
  fieldErrors: Record<string, string>;
  created: CreatedToken | null;
  creating: boolean;
  /** Ids being revoked right now. */
  revoking: string[];
}

export const closedTokenPanel = (): TokenPanelState => ({
  open: false, phase: 'idle', tokens: [], error: null, fieldErrors: {}, created: null, creating: false, revoking: [],
});

/** The "Retrain on a schedule" dialog: open or not, the create in flight, and what the API refused by field. */
export interface ScheduleFormState {
  open: boolean;
  creating: boolean;
  /** Messages from a refused POST /schedules, keyed like the request ("expression", "timezone", "params.steps"). */
  fieldErrors: Record<string, string>;
  error: string | null;
}

export const closedScheduleForm = (): ScheduleFormState => ({ open: false, creating: false, fieldErrors: {}, error: null });

/** The expanded runs history of one schedule. */
export interface ScheduleRunsState {
  phase: 'loading' | 'ready' | 'error';
  runs: ScheduleRun[];
  error?: string;
}

/** The estimate beside Start training: of the form as it is (`value` stays while a newer one loads). */
export interface EstimateState {
  phase: 'idle' | 'loading' | 'ready' | 'error';
  value: JobEstimate | null;
  error: string | null;
}

/** The job whose details are open: the job itself comes from the jobs list (pushed live) or, for one not in it, from GET /jobs/{id}. */
export interface JobDetailsState {
  jobId: string;
  /** A copy fetched for a job the list does not hold. */
  job: Job | null;
  logs: JobLogs | null;
  logsError: string | null;
  /** The job's dataset's versions, to link its version and offer the newest READY one. */
  versions: DatasetVersion[] | null;
  error: string | null;
}

export interface DatasetVersionsState {
  datasetId: string;
  list: DatasetVersion[];
  diffs: Record<number, string>;
}

export interface State {
  config: WebConfig | null;
  /** The signed-in user's name, and the ID token the API and the WebSocket get (null: the sign-in screen). */
  user: string | null;
  token: string | null;
  trainers: Trainer[];
  trainerSource: 'provider' | 'fallback' | null;
  trainersError: string | null;
  trainerId: string | null;
  datasets: Dataset[];
  /** The dataset the next job trains on, with the version being uploaded or chosen. */
  dataset: { id: string; name: string; version: DatasetVersion | null } | null;
  upload: UploadState;
  /** Loose images and captions picked before their first upload, waiting to be reviewed or uploaded (not kept over a reload). */
  picked: File[] | null;
  /** The chosen dataset's versions (newest first) and, by version, what changed from its parent (a sentence). */
  versions: DatasetVersionsState | null;
  triggerPhrase: string;
  /** Raw control values by param key: strings for text and number inputs, booleans for toggles. */
  params: Record<string, RawValue>;
  /** Field messages from the last refused POST /jobs, keyed like the API's details ("params.steps"). */
  serverErrors: Record<string, string>;
  formError: string | null;
  submitting: boolean;
  estimate: EstimateState;
  jobs: Job[];
  jobsPhase: 'loading' | 'ready' | 'error';
  jobsError: string | null;
  /** Registered LoRAs, newest first. */
  adapters: Adapter[];
  /** Schedules, newest first. */
  schedules: Schedule[];
  schedulesPhase: 'loading' | 'ready' | 'error';
  schedulesError: string | null;
  scheduleForm: ScheduleFormState;
  /** Runs histories that are open, by schedule id. */
  scheduleRuns: Record<string, ScheduleRunsState>;
  /** Schedules with an action (pause, resume, run now, delete) in flight. */
  scheduleBusy: string[];
  /** The job a schedule's "show the job" pointed at: the jobs list scrolls to it and marks it. */
  focusedJobId: string | null;
  jobDetails: JobDetailsState | null;
  /** Counts fills of the whole training form from elsewhere ("Train again"), so its fields redraw with the values. */
  formFill: number;
  /** The version a job's details linked to: the versions panel scrolls to it and marks it. */
  focusedVersion: { datasetId: string; version: number } | null;
  link: LinkState;
  sidebarCollapsed: boolean;
  guideOpen: boolean;
  tokenPanel: TokenPanelState;
}

export const initialState = (): State => ({
  config: null,
  user: null,
  token: null,
  trainers: [],
  trainerSource: null,
  trainersError: null,
  trainerId: null,
  datasets: [],
  dataset: null,
  upload: { phase: 'idle', fraction: 0 },
  picked: null,
  versions: null,
  triggerPhrase: '',
  params: {},
  serverErrors: {},
  formError: null,
  submitting: false,
  estimate: { phase: 'idle', value: null, error: null },
  jobs: [],
  jobsPhase: 'loading',
  jobsError: null,
  adapters: [],
  schedules: [],
  schedulesPhase: 'loading',
  schedulesError: null,
  scheduleForm: closedScheduleForm(),
  scheduleRuns: {},
  scheduleBusy: [],
  focusedJobId: null,
  jobDetails: null,
  formFill: 0,
  focusedVersion: null,
  link: 'closed',
  sidebarCollapsed: localStorage.getItem('loraworks.sidebar') === 'collapsed',
  guideOpen: false,
  tokenPanel: closedTokenPanel(),
});

type Listener = (state: State, previous: State) => void;

/** One state object, replaced on every change; panels subscribe and update only what they show. */
export class Store {
  private listeners = new Set<Listener>();
  private groups = new Map<string, Set<Listener>>();
  private currentGroup: Set<Listener> | null = null;
  constructor(private state: State) {}

  /** Build a view; every subscription made while building it can later be dropped together. */
  withGroup<T>(name: string, build: () => T): T {
    const group = this.groups.get(name) ?? new Set<Listener>();
    this.groups.set(name, group);
    this.currentGroup = group;
    try {
      return build();
    } finally {
      this.currentGroup = null;
    }
  }

  dropGroup(name: string): void {
    for (const listener of this.groups.get(name) ?? []) this.listeners.delete(listener);
    this.groups.delete(name);
  }

  get(): State {
    return this.state;
  }

  set(patch: Partial<State> | ((s: State) => Partial<State>)): void {
    const previous = this.state;
    const changes = typeof patch === 'function' ? patch(previous) : patch;
    this.state = { ...previous, ...changes };
    for (const listener of this.listeners) listener(this.state, previous);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    this.currentGroup?.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const selectedTrainer = (s: State): Trainer | undefined => s.trainers.find((t) => t.id === s.trainerId);

/** Merge a job into the list, newest first; an older copy never overwrites a newer one. */
export function upsertJob(jobs: Job[], job: Job): Job[] {
  const index = jobs.findIndex((j) => j.id === job.id);
  if (index === -1) return [job, ...jobs].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id)));
  const current = jobs[index]!;
  if (current.updatedAt > job.updatedAt) return jobs;
  const next = jobs.slice();
  next[index] = job;
  return next;
}

/** Merge a schedule into the list, newest first; an older copy never overwrites a newer one. */
export function upsertSchedule(schedules: Schedule[], schedule: Schedule): Schedule[] {
  const index = schedules.findIndex((x) => x.id === schedule.id);
  if (index === -1) return [schedule, ...schedules].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id)));
  if (schedules[index]!.updatedAt > schedule.updatedAt) return schedules;
  const next = schedules.slice();
  next[index] = schedule;
  return next;
}
