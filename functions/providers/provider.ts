import type { RemoteJob, RemoteStatus } from '#domain/remote-job';
import type { ArtifactRole, ParamValues, Trainer } from '#domain/schemas';

export type { RemoteJob, RemoteStatus };

export interface TrainingRequest {
  trainer: Trainer;
  /** A URL the trainer can GET the dataset zip from (a presigned S3 GET). */
  datasetUrl: string;
  triggerPhrase: string;
  /** Canonical parameter values, already validated against the trainer entry. */
  params: ParamValues;
}

export type CancelOutcome = 'cancelled' | 'requested' | 'already-completed' | 'not-found';

/** A file of the result besides the main LoRA: where to fetch it, what it is (the trainer's spec says, by output field). */
export interface OutputFile {
  /** The output field it came in (fal's `high_noise_lora`, `config_file`, ...). */
  field: string;
  url: string;
  /** The trainer's name for it (unsafe characters are replaced when it is stored). */
  name: string;
  role: ArtifactRole;
  contentType?: string;
  sizeBytes?: number;
}

/** Every file a training returned: the main LoRA (role `lora`) and `others`. */
export interface TrainingOutput {
  /** Where the file is fetched from: the LoRA itself, or the archive holding it when `archive` is set. */
  loraUrl: string;
  /** Name to store the LoRA under (the member's base name when it comes out of an archive). */
  fileName: string;
  /** Size of what `loraUrl` serves, when the provider says (the archive's size, not the member's). */
  sizeBytes?: number;
  contentType?: string;
  /** Set when `loraUrl` serves an archive: collect pipes the download through `tarMember(member)`
   * (functions/domain/tar-member.ts) and stores only that member. Replicate's trainers answer this way. */
  archive?: { format: 'tar'; member: string };
  /** Every other file of the result (a second LoRA, the config, samples), in the order of the trainer's spec. */
  others?: OutputFile[];
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
