// The one definition of every record, request and message of the public API contract.
// Handlers, the web app, the OpenAPI document and the tests import these; none keeps a copy.
import { z } from 'zod';
import { DATASET_ID_MAX, DATASET_ID_PATTERN, DATASET_ID_RULE, IDEMPOTENCY_KEY_MAX, RECORD_ID_MAX } from './identifiers';
import { DEFAULT_EXPIRES_IN_DAYS, MAX_EXPIRES_IN_DAYS, TOKEN_NAME_MAX } from './api-token-limits';
import { ScheduleTimingSchema } from './schedule-expression';
import { safeText, ZIP_FILE_NAME_PATTERN, ZIP_FILE_NAME_RULE, zipFileNameProblem } from './safe-text';

export const IsoTime = z.string().datetime({ offset: true });

// ---------- ids a client sends (identifiers.ts: each fits the DynamoDB and S3 keys it becomes part of) ----------
export const DatasetId = z.string().min(1, 'Pick a dataset.').max(DATASET_ID_MAX, DATASET_ID_RULE).regex(DATASET_ID_PATTERN, DATASET_ID_RULE);
export const RecordId = (what: string) => z.string().min(1, `Name the ${what}.`).max(RECORD_ID_MAX, `A ${what} id is at most ${RECORD_ID_MAX} characters.`);
export const IdempotencyKey = safeText('The Idempotency-Key').min(1, 'An Idempotency-Key must not be empty; leave the header out instead.')
  .max(IDEMPOTENCY_KEY_MAX, `An Idempotency-Key is at most ${IDEMPOTENCY_KEY_MAX} characters (a UUID is 36).`);

// ---------- errors ----------
export const ErrorDetail = z.object({ field: z.string(), message: z.string() });
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.array(ErrorDetail).optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
/** What API Gateway answers with itself (no token, no route, a body over 10 MB, throttling, its own failure). */
export const GatewayError = z.object({ message: z.string() });

// ---------- trainers ----------
export const TrainerParam = z.object({
  key: z.string(),
  label: z.string(),
  type: z.enum(['integer', 'number', 'boolean', 'string', 'enum']),
  default: z.union([z.number(), z.boolean(), z.string()]).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().optional(),
  options: z.array(z.string()).optional(),
  help: z.string(),
  group: z.enum(['core', 'model']),
  required: z.boolean().optional(),
});
export type TrainerParam = z.infer<typeof TrainerParam>;

export const DatasetRules = z.object({
  minImages: z.number().int(),
  maxImages: z.number().int().optional(),
  formats: z.array(z.string()),
  captions: z.enum(['optional', 'required', 'none']),
  /** `start-end`: the trainer learns from before/after pairs (ROOT_start.EXT + ROOT_end.EXT), counted as pairs. */
  layout: z.enum(['images', 'start-end']).optional(),
});
export type DatasetRules = z.infer<typeof DatasetRules>;

/** What a trainer costs: `step` is `usd` per `per` steps (scaled to the job's steps), `run` is `usd` for a run of
 * any length, `second` is `usd` per `per` seconds of training (the duration model gives the seconds). */
export const TrainerPrice = z.object({
  unit: z.enum(['step', 'run', 'second']),
  usd: z.number().nonnegative(),
  /** How many steps or seconds `usd` buys. @default 1 */
  per: z.number().positive().optional(),
  /** Where the price comes from (the provider's page, or for an assumed price what it is taken from). */
  source: z.string(),
  /** The day Loraworks recorded the price from its source (YYYY-MM-DD). */
  asOf: z.string(),
  /** True where the provider publishes no price for this trainer and the price is Loraworks' assumption. */
  assumed: z.boolean(),
});
export type TrainerPrice = z.infer<typeof TrainerPrice>;

/** How long a run takes: `setupSeconds` before the first step, then `secondsPerStep`; an assumption, not a measurement. */
export const TrainerDuration = z.object({
  secondsPerStep: z.number().positive(),
  setupSeconds: z.number().nonnegative(),
  source: z.string(),
});
export type TrainerDuration = z.infer<typeof TrainerDuration>;

export const Trainer = z.object({
  id: z.string(),
  provider: z.enum(['fal', 'replicate']),
  name: z.string(),
  kind: z.enum(['image', 'video']),
  description: z.string(),
  outputFormat: z.string().optional(),
  dataset: DatasetRules,
  /** Whether a job gives a trigger phrase: `none` trainers (edit and caption-only ones) take none and refuse one. */
  trigger: z.enum(['required', 'optional', 'none']),
  params: z.array(TrainerParam),
  /** The price basis POST /jobs/estimate applies (absent from entries written before prices were). */
  price: TrainerPrice.optional(),
  duration: TrainerDuration.optional(),
});
export type Trainer = z.infer<typeof Trainer>;

/** A provider whose trainers the catalog leaves out, and what to set so they appear. */
export const UnavailableProvider = z.object({ provider: Trainer.shape.provider, reason: z.string() });
export type UnavailableProvider = z.infer<typeof UnavailableProvider>;

/** `unavailable` names each provider whose trainers are left out because its key or configuration is missing. */
export const TrainerList = z.object({
  source: z.enum(['provider', 'fallback']),
  trainers: z.array(Trainer),
  unavailable: z.array(UnavailableProvider),
});
export type TrainerList = z.infer<typeof TrainerList>;

// ---------- datasets ----------
export const Finding = z.object({ code: z.string(), message: z.string(), file: z.string().optional() });
export type Finding = z.infer<typeof Finding>;

export const ValidationReport = z.object({
  images: z.number().int(),
  videos: z.number().int(),
  captions: z.number().int(),
  pairs: z.number().int(),
  minWidth: z.number().int().optional(),
  minHeight: z.number().int().optional(),
  maxWidth: z.number().int().optional(),
  maxHeight: z.number().int().optional(),
  /** Files named NAME_mask.EXT, paired with NAME.EXT; not counted as images. */
  masks: z.number().int().optional(),
  /** Complete ROOT_start / ROOT_end pairs (edit trainers). */
  editPairs: z.number().int().optional(),
  /** Images whose content repeats another's. */
  duplicates: z.number().int().optional(),
  /** Captions holding the `[trigger]` placeholder, replaced by the trigger phrase at training. */
  triggerPlaceholders: z.number().int().optional(),
  /** System and hidden files ignored (__MACOSX, .DS_Store, Thumbs.db, dot-files). */
  ignored: z.number().int().optional(),
  errors: z.array(Finding),
  warnings: z.array(Finding),
  fitsTrainers: z.array(z.string()).optional(),
});
export type ValidationReport = z.infer<typeof ValidationReport>;

export const DatasetVersionStatus = z.enum(['UPLOADING', 'VALIDATING', 'READY', 'INVALID']);
export type DatasetVersionStatus = z.infer<typeof DatasetVersionStatus>;

export const DatasetVersion = z.object({
  version: z.number().int().positive(),
  status: DatasetVersionStatus,
  sizeBytes: z.number().int().nonnegative(),
  fileName: z.string().optional(),
  sha256: z.string().optional(),
  source: z.enum(['web', 'cli', 's3']),
  createdAt: IsoTime,
  updatedAt: IsoTime.optional(),
  report: ValidationReport.optional(),
  /** For a direct S3 upload with a `.train.json` sidecar: the job it started, or why it could not. */
  autoStart: z.object({ jobId: z.string().optional(), error: z.object({ code: z.string(), message: z.string() }).optional() }).optional(),
  /** The version this one was built from by an edit (POST /datasets/{id}/versions). */
  derivedFrom: z.number().int().positive().optional(),
  /** The jobs that trained on this version, oldest first. */
  jobIds: z.array(z.string()).optional(),
});
export type DatasetVersion = z.infer<typeof DatasetVersion>;

export const Dataset = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: IsoTime,
  latestVersion: z.number().int().optional(),
  versions: z.array(DatasetVersion).optional(),
});
export const DatasetList = z.object({ datasets: z.array(Dataset) });
export type Dataset = z.infer<typeof Dataset>;

export const CreateDatasetRequest = z.object({ name: safeText('The dataset name').min(1, 'Give the dataset a name.').max(120) });
export const CreateUploadRequest = z.object({
  /** A plain file name ending in .zip (safe-text.ts); it becomes the last segment of the version's object key. */
  fileName: z.string().trim().regex(ZIP_FILE_NAME_PATTERN, ZIP_FILE_NAME_RULE).superRefine((name, ctx) => {
    // The pattern said its rule already where it failed; the rest of the rule is checked here.
    const problem = ZIP_FILE_NAME_PATTERN.test(name) ? zipFileNameProblem(name) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  sizeBytes: z.number().int().positive('The file is empty.'),
  source: z.enum(['web', 'cli']).optional(),
});
export const CreateUploadResponse = z.object({
  version: z.number().int(),
  upload: z.object({ url: z.string(), fields: z.record(z.string(), z.string()) }),
});
export type CreateUploadResponse = z.infer<typeof CreateUploadResponse>;

/** POST /upload-credentials: a short-lived STS session that may put objects only under the caller's own
 * `incoming/{owner}/` prefix (README, "Direct S3 uploads"). */
export const UploadCredentials = z.object({
  bucket: z.string(),
  /** `incoming/<owner URI-encoded>/`: put `<prefix><dataset>/<file>.zip` (and its `.train.json` sidecar). */
  prefix: z.string(),
  region: z.string(),
  expiresAt: IsoTime,
  credentials: z.object({ accessKeyId: z.string(), secretAccessKey: z.string(), sessionToken: z.string() }),
  /** The S3 endpoint, only where S3 is not AWS's (the local cloud). */
  endpoint: z.string().optional(),
});
export type UploadCredentials = z.infer<typeof UploadCredentials>;

// ---------- dataset files (the manifest the validator writes) and versions made from edits ----------
export const DatasetFileKind = z.enum(['image', 'video', 'caption', 'mask', 'other']);
export type DatasetFileKind = z.infer<typeof DatasetFileKind>;

/** Where an entry's bytes sit in the version's zip: enough to read that one file by an HTTP byte range. */
export const ZipEntryLocation = z.object({
  /** Offset of the entry's local file header. */
  headerOffset: z.number().int().nonnegative(),
  /** Offset of its compressed bytes (past the local header, its name and its extra field). */
  dataOffset: z.number().int().nonnegative(),
  compressedSize: z.number().int().nonnegative(),
  method: z.enum(['stored', 'deflated']),
  crc32: z.number().int().nonnegative(),
});
export type ZipEntryLocation = z.infer<typeof ZipEntryLocation>;

export const DatasetFile = z.object({
  /** The entry's path in the zip. */
  name: z.string(),
  kind: DatasetFileKind,
  /** Uncompressed size. */
  sizeBytes: z.number().int().nonnegative(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  /** sha256 (hex) of the uncompressed content. */
  contentHash: z.string(),
  /** An image's or video's caption text (from its paired caption file), or a caption file's own text. */
  caption: z.string().optional(),
  /** The caption file paired with this image or video. */
  captionFile: z.string().optional(),
  /** The report's findings that name this file. */
  findings: z.array(Finding),
  zip: ZipEntryLocation,
});
export type DatasetFile = z.infer<typeof DatasetFile>;

export const DatasetFileList = z.object({
  /** A page of the version's files, in the zip's order. */
  files: z.array(DatasetFile),
  /** A presigned GET of the version's zip (byte ranges allowed, for thumbnails), and when it expires. */
  url: z.string().optional(),
  expiresAt: IsoTime.optional(),
  /** Where the next page starts (pass it as `?cursor=`); absent on the last page. */
  cursor: z.string().optional(),
});
export type DatasetFileList = z.infer<typeof DatasetFileList>;

export const CAPTION_TEXT_MAX = 10_000;
export const DERIVE_CHANGES_MAX = 10_000;
/** A caption as written to its .txt file: UTF-8 text, line breaks allowed, no other control characters. */
export const CaptionText = z.string().max(CAPTION_TEXT_MAX, `A caption is at most ${CAPTION_TEXT_MAX} characters.`)
  .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'A caption may hold line breaks but no other control characters.');

/** POST /datasets/{id}/versions: a new version built from `from` (captions keyed by the image's name; an empty
 * caption removes the caption file; `remove` names images, whose caption and mask files go with them). */
export const CreateDatasetVersionRequest = z.object({
  from: z.number().int().positive('Name the version to start from.'),
  captions: z.record(z.string(), CaptionText).default({}),
  remove: z.array(z.string()).max(DERIVE_CHANGES_MAX).default([]),
  /** Also merge the files of a zip posted to the answer's `upload` (same rules as any upload). */
  addUpload: z.boolean().optional(),
  source: z.enum(['web', 'cli']).optional(),
});
export type CreateDatasetVersionRequest = z.infer<typeof CreateDatasetVersionRequest>;
export const CreateDatasetVersionResponse = z.object({
  version: z.number().int(),
  upload: CreateUploadResponse.shape.upload.optional(),
});
export type CreateDatasetVersionResponse = z.infer<typeof CreateDatasetVersionResponse>;

/** The most files one page of GET …/files holds (file-pages.ts also cuts a page by its size). */
export const FILES_PAGE_MAX = 5000;
export const ListDatasetFilesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(FILES_PAGE_MAX).default(FILES_PAGE_MAX),
  cursor: z.string().optional(),
});
export const DatasetDiffQuery = z.object({ from: z.coerce.number().int().positive().optional() });
/** What changed from version `from` to version `to`, by entry name (captions count as their image's). */
export const DatasetDiff = z.object({
  from: z.number().int(),
  to: z.number().int(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.object({ name: z.string(), what: z.enum(['content', 'caption']) })),
});
export type DatasetDiff = z.infer<typeof DatasetDiff>;

// ---------- jobs ----------
export const JobStatus = z.enum(['QUEUED', 'RUNNING', 'CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED']);
export type JobStatus = z.infer<typeof JobStatus>;
export const TERMINAL_STATUSES: readonly JobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export const Progress = z.object({
  fraction: z.number().min(0).max(1),
  step: z.number().int().optional(),
  totalSteps: z.number().int().optional(),
  etaSeconds: z.number().optional(),
  queuePosition: z.number().int().optional(),
  message: z.string().optional(),
});
export type Progress = z.infer<typeof Progress>;

export const ParamValues = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]));
// Free-text values are checked as safe text with the trainer's parameters (training-request.ts).
export type ParamValues = z.infer<typeof ParamValues>;

export const Artifact = z.object({ fileName: z.string(), sizeBytes: z.number().int(), sha256: z.string() });
export type Artifact = z.infer<typeof Artifact>;

/** An estimate, never a quote: `basis` says which price and how it was applied. */
export const JobEstimate = z.object({
  costUsd: z.number().nonnegative(),
  durationSeconds: z.number().int().nonnegative(),
  basis: z.string(),
});
export type JobEstimate = z.infer<typeof JobEstimate>;

/** What an output file of a training is: a LoRA (Wan 2.2 adds its high-noise one), the trainer's config, a sample it rendered, or anything else it returned. */
export const ArtifactRole = z.enum(['lora', 'lora-high-noise', 'config', 'sample', 'other']);
export type ArtifactRole = z.infer<typeof ArtifactRole>;

export const ARTIFACT_NAME_MAX = 200;
const ARTIFACT_NAME_RULE = `An artifact name is a file name of letters, digits, '.', '_' and '-' (at most ${ARTIFACT_NAME_MAX} characters), as the job's artifacts list it.`;
/** A stored output file's name: the trainer's file name made safe (collect-lora.ts), unique within its job. */
export const ArtifactName = z.string().min(1, 'Name the artifact, as the job\'s artifacts list it.').max(ARTIFACT_NAME_MAX, ARTIFACT_NAME_RULE)
  .regex(/^(?!\.\.?$)[\w.-]+$/, ARTIFACT_NAME_RULE);

/** One file a training produced, as stored under the job's artifact prefix. */
export const JobArtifact = z.object({
  name: z.string(),
  role: ArtifactRole,
  sizeBytes: z.number().int(),
  sha256: z.string(),
  contentType: z.string(),
});
export type JobArtifact = z.infer<typeof JobArtifact>;

export const JOB_HISTORY_MAX = 120;
export const JobHistoryPoint = z.object({
  at: IsoTime,
  status: JobStatus,
  fraction: z.number().min(0).max(1),
  step: z.number().int().optional(),
  queuePosition: z.number().int().optional(),
});
export type JobHistoryPoint = z.infer<typeof JobHistoryPoint>;

export const Job = z.object({
  id: z.string(),
  status: JobStatus,
  trainerId: z.string(),
  datasetId: z.string(),
  datasetVersion: z.number().int(),
  triggerPhrase: z.string(),
  params: ParamValues,
  origin: z.enum(['web', 'api', 'schedule', 's3']),
  /** The schedule that started the job (origin `schedule`). */
  scheduleId: z.string().optional(),
  progress: Progress,
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  artifact: Artifact.optional(),
  /** Every file the trainer returned and collect stored, the main LoRA (`artifact`) first. */
  artifacts: z.array(JobArtifact).optional(),
  /** Set when a cancel arrived after the trainer had already finished: the LoRA was kept. */
  completedBeforeCancel: z.boolean().optional(),
  /** The estimate made when the job was started; once COMPLETED, recomputed for the steps it ran. */
  estimate: JobEstimate.optional(),
  /** Status, queue position and progress over time, oldest first, bounded (JOB_HISTORY_MAX points). */
  history: z.array(JobHistoryPoint).optional(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  startedAt: IsoTime.optional(),
  finishedAt: IsoTime.optional(),
});
export type Job = z.infer<typeof Job>;

export const CreateJobRequest = z.object({
  trainerId: z.string().min(1, 'Pick a trainer.'),
  datasetId: DatasetId,
  datasetVersion: z.number().int().positive().optional(),
  /** Checked against the trainer (training-request.ts): required, optional or refused, 1–100 characters. */
  triggerPhrase: z.string().trim().default(''),
  params: ParamValues.default({}),
  origin: z.enum(['web', 'api']).optional(),
});
export type CreateJobRequest = z.infer<typeof CreateJobRequest>;

/** The `.train.json` sidecar of a direct S3 upload: a job request whose dataset is the upload itself. */
export const SidecarTrainingRequest = CreateJobRequest.omit({ datasetId: true, datasetVersion: true, origin: true }).strict();
export type SidecarTrainingRequest = z.infer<typeof SidecarTrainingRequest>;

export const ListJobsQuery = z.object({
  status: JobStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().optional(),
});
export const JobList = z.object({ jobs: z.array(Job), cursor: z.string().optional() });

export const JOB_LOG_LINES_MAX = 200;
export const JOB_LOG_LINE_CHARS_MAX = 1000;
/** GET /jobs/{id}/logs: the trainer's last lines (at most JOB_LOG_LINES_MAX, each cut to JOB_LOG_LINE_CHARS_MAX). */
export const JobLogs = z.object({
  lines: z.array(z.object({ at: IsoTime, message: z.string() })),
  /** Older lines were dropped to keep the bound. */
  truncated: z.boolean().optional(),
});
export type JobLogs = z.infer<typeof JobLogs>;

export const ArtifactLink = z.object({
  url: z.string(),
  fileName: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  expiresAt: IsoTime,
});
export type ArtifactLink = z.infer<typeof ArtifactLink>;

// ---------- adapters (registered LoRAs) ----------
export const AdapterArtifact = JobArtifact.pick({ name: true, role: true, sizeBytes: true, sha256: true });
export type AdapterArtifact = z.infer<typeof AdapterArtifact>;
export const AdapterStatus = z.enum(['CHECKING', 'READY', 'INVALID']);
export const Adapter = z.object({
  id: z.string(),
  name: z.string(),
  /** How it was registered: by hand from a job, imported as a file, or by a schedule with `autoRegister`. */
  source: z.enum(['job', 'import', 'schedule']),
  jobId: z.string().optional(),
  trainerId: z.string().optional(),
  triggerPhrase: z.string().optional(),
  /** Its LoRA files (a Wan 2.2 adapter has both), the main one first. */
  artifacts: z.array(AdapterArtifact),
  /** The main LoRA, as `artifacts[0]` (kept for clients of the first contract). */
  artifact: Artifact.optional(),
  /** An import is CHECKING until its file is posted and checked; READY or INVALID (with `error`) then. */
  status: AdapterStatus.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  createdAt: IsoTime,
});
export type Adapter = z.infer<typeof Adapter>;
export const CreateAdapterRequest = z.object({
  jobId: RecordId('job').min(1, 'Name the completed job whose LoRA you register.'),
  name: safeText('The LoRA name').min(1, 'Give the LoRA a name you will recognise in your generator.').max(120),
});
export const AdapterList = z.object({ adapters: z.array(Adapter) });
/** POST /adapters/imports: register a .safetensors LoRA trained elsewhere. */
export const CreateAdapterImportRequest = z.object({
  name: CreateAdapterRequest.shape.name,
  fileName: z.string().trim().min(1, 'Name the file.').max(255)
    .regex(/^(?!\.)[^/\\\u0000-\u001f]+\.safetensors$/i, 'A LoRA file name is a plain file name ending in .safetensors.'),
  sizeBytes: z.number().int().positive('The file is empty.'),
  trainerId: z.string().min(1).max(200).optional(),
  triggerPhrase: safeText('The trigger phrase').max(100).optional(),
});
export type CreateAdapterImportRequest = z.infer<typeof CreateAdapterImportRequest>;
export const CreateAdapterImportResponse = z.object({
  adapterId: z.string(),
  upload: CreateUploadResponse.shape.upload,
});
export type CreateAdapterImportResponse = z.infer<typeof CreateAdapterImportResponse>;

// ---------- API tokens (for tooling; the token itself is shown once, in CreatedToken) ----------
export const CreateTokenRequest = z.object({
  name: safeText('The token name').min(1, 'Give the token a name that says where it is used, such as "ci".')
    .max(TOKEN_NAME_MAX, `A token name is at most ${TOKEN_NAME_MAX} characters.`),
  expiresInDays: z.number({ message: `Give expiresInDays as a whole number of days, 1 to ${MAX_EXPIRES_IN_DAYS}.` })
    .int(`Give expiresInDays as a whole number of days, 1 to ${MAX_EXPIRES_IN_DAYS}.`)
    .min(1, 'A token lives at least 1 day.').max(MAX_EXPIRES_IN_DAYS, `A token lives at most ${MAX_EXPIRES_IN_DAYS} days; create a new one when it ends.`)
    .default(DEFAULT_EXPIRES_IN_DAYS),
});
export const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: IsoTime,
  expiresAt: IsoTime,
  lastUsedAt: IsoTime.optional(),
});
export type ApiToken = z.infer<typeof ApiToken>;
export const CreatedToken = ApiToken.omit({ lastUsedAt: true }).extend({
  token: z.string().describe('The API token (lwk_…): send it as `Authorization: Bearer <token>`. Shown only in this answer.'),
});
export type CreatedToken = z.infer<typeof CreatedToken>;
export const TokenList = z.object({ tokens: z.array(ApiToken) });

// ---------- schedules (automated retraining on EventBridge Scheduler) ----------
export const ScheduleRunOutcome = z.enum(['STARTED', 'SKIPPED', 'FAILED']);
export type ScheduleRunOutcome = z.infer<typeof ScheduleRunOutcome>;
export const ScheduleRun = z.object({
  /** Derived from the schedule and the scheduled time: one firing delivered twice is one run. */
  id: z.string(),
  scheduleId: z.string(),
  /** The scheduled time of the firing (or the moment of a run now). */
  at: IsoTime,
  outcome: ScheduleRunOutcome,
  datasetVersion: z.number().int().optional(),
  jobId: z.string().optional(),
  /** Why it was skipped or failed, as a sentence for the user. */
  reason: z.string().optional(),
});
export type ScheduleRun = z.infer<typeof ScheduleRun>;

export const Schedule = z.object({
  id: z.string(),
  name: z.string(),
  datasetId: z.string(),
  trainerId: z.string(),
  triggerPhrase: z.string().optional(),
  params: ParamValues,
  expression: z.string(),
  timezone: z.string(),
  onlyIfDatasetChanged: z.boolean(),
  autoRegister: z.boolean(),
  enabled: z.boolean(),
  /** Absent while paused, and for an at() that has fired. */
  nextRunAt: IsoTime.optional(),
  lastRun: ScheduleRun.optional(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type Schedule = z.infer<typeof Schedule>;

const SCHEDULE_NAME_MAX = 80;
const scheduleFields = {
  name: safeText('The schedule name').min(1, 'Give the schedule a name, such as "weekly retrain".')
    .max(SCHEDULE_NAME_MAX, `A schedule name is at most ${SCHEDULE_NAME_MAX} characters.`),
  datasetId: DatasetId,
  trainerId: z.string().min(1, 'Pick a trainer.'),
  /** Checked against the trainer as POST /jobs checks it. */
  triggerPhrase: z.string().trim(),
  params: ParamValues,
  onlyIfDatasetChanged: z.boolean(),
  autoRegister: z.boolean(),
  enabled: z.boolean(),
  /** cron(...) with six fields, rate(...) or at(...), as EventBridge Scheduler takes them. */
  expression: z.string().min(1, 'Give a schedule expression such as cron(0 3 ? * MON *) or rate(7 days).').max(256),
  /** An IANA time zone name. */
  timezone: z.string().max(50),
};
/** The refusals of an expression and a time zone, as ScheduleTimingSchema words them. */
function checkTiming(value: { expression?: string; timezone?: string }, ctx: z.RefinementCtx): void {
  if (value.expression === undefined && value.timezone === undefined) return;
  // A PATCH may send one of the two: the other is checked with a value that always passes (and again, with the
  // stored one, by the use case).
  const timing = ScheduleTimingSchema.safeParse({ expression: value.expression ?? 'rate(1 day)', timezone: value.timezone ?? 'UTC' });
  for (const issue of timing.success ? [] : timing.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
}

/** POST /schedules: a job's choices, when to run (a Scheduler expression in a time zone) and what to do with the result. */
export const CreateScheduleRequest = z.object({
  ...scheduleFields,
  triggerPhrase: scheduleFields.triggerPhrase.default(''),
  params: scheduleFields.params.default({}),
  onlyIfDatasetChanged: scheduleFields.onlyIfDatasetChanged.default(true),
  autoRegister: scheduleFields.autoRegister.default(false),
  enabled: scheduleFields.enabled.default(true),
  timezone: scheduleFields.timezone.default('UTC'),
}).superRefine(checkTiming);
export type CreateScheduleRequest = z.infer<typeof CreateScheduleRequest>;
/** PATCH /schedules/{id}: any of the fields of POST /schedules (at least one). */
export const UpdateScheduleRequest = z.object(scheduleFields).partial().superRefine((value, ctx) => {
  if (Object.keys(value).length === 0) ctx.addIssue({ code: 'custom', message: 'Send at least one field to change, such as {"enabled": false}.' });
  checkTiming(value, ctx);
});
export type UpdateScheduleRequest = z.infer<typeof UpdateScheduleRequest>;
export const ScheduleList = z.object({ schedules: z.array(Schedule) });
export const ListScheduleRunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().optional(),
});
export const ScheduleRunList = z.object({ runs: z.array(ScheduleRun), cursor: z.string().optional() });

// ---------- realtime ----------
export const ServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), job: Job }),
  z.object({ type: z.literal('dataset'), datasetId: z.string(), version: DatasetVersion }),
  z.object({ type: z.literal('schedule'), schedule: Schedule }),
  /** A LoRA registered (by a schedule's autoRegister, or from another tab), so every open page lists it at once. */
  z.object({ type: z.literal('adapter'), adapter: Adapter }),
  z.object({ type: z.literal('pong') }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export const ClientMessage = z.object({ action: z.literal('ping') });

// ---------- web config ----------
export const WebConfig = z.object({
  apiUrl: z.string(),
  wsUrl: z.string(),
  /**
   * The OpenID provider the web app signs in with (Cognito in AWS, the local provider in the local cloud):
   * `<authority>/.well-known/openid-configuration` is its discovery document; `logoutUrl` its sign-out endpoint
   * (`?client_id=…&logout_uri=…`), which Cognito's discovery does not name.
   */
  auth: z.object({
    mode: z.literal('oidc'),
    authority: z.string().url(),
    clientId: z.string().min(1),
    scopes: z.string().min(1),
    logoutUrl: z.string().url(),
  }),
});
export type WebConfig = z.infer<typeof WebConfig>;

export const Health = z.object({ status: z.literal('ok'), time: IsoTime });
