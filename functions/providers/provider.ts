import type { ParamValues, Progress, Trainer } from '../domain/schemas';

export interface TrainingRequest {
  trainer: Trainer;
  /** A URL the trainer can GET the dataset zip from (a presigned S3 GET). */
  datasetUrl: string;
  triggerPhrase: string;
  /** Canonical parameter values, already validated against the trainer entry. */
  params: ParamValues;
}

/** Everything needed to find a submitted job at its provider again, stored on the job record. */
export interface RemoteJob {
  provider: 'fal' | 'replicate';
  endpoint: string;
  requestId: string;
}

export interface RemoteStatus {
  state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  progress: Progress;
  error?: { code: string; message: string };
}

export type CancelOutcome = 'cancelled' | 'requested' | 'already-completed' | 'not-found';

export interface TrainingOutput {
  loraUrl: string;
  fileName: string;
  sizeBytes?: number;
}

export interface TrainerProvider {
  listTrainers(): Promise<Trainer[]>;
  submit(request: TrainingRequest): Promise<RemoteJob>;
  status(job: RemoteJob): Promise<RemoteStatus>;
  cancel(job: RemoteJob): Promise<CancelOutcome>;
  result(job: RemoteJob): Promise<TrainingOutput>;
}

/** A transient provider failure (5xx, 429, timeout, network): the workflow retries with backoff. */
export class TrainerUnavailable extends Error {
  override readonly name = 'TrainerUnavailable';
}

/** A permanent provider refusal: the job fails with this message. */
export class TrainerRejected extends Error {
  override readonly name = 'TrainerRejected';
  constructor(message: string, readonly code = 'TRAINER_REJECTED') {
    super(message);
  }
}
