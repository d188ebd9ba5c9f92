// A request the emulator holds: the record tests inspect (GET /__emulator/requests) and the working state the
// queue keeps beside it.
import type { AppliedFault, EmulatorFaults, FaultCounter } from './faults';
import type { StoredFile } from './files';

/** FORGOTTEN: the trainer dropped the request (the forgetAtStep fault); every call about it answers 404. */
export type EmulatedStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'FORGOTTEN';
export type EmulatedProtocol = 'fal' | 'replicate';

export interface EmulatedRequest {
  requestId: string;
  /** fal endpoint id, or `replicate/{owner}/{name}` for a Replicate training. */
  endpoint: string;
  protocol: EmulatedProtocol;
  status: EmulatedStatus;
  cancelRequested: boolean;
  cancelRequestedAt?: string;
  /** The step the training was at when the cancel arrived. */
  cancelRequestedAtStep?: number;
  step: number;
  totalSteps: number;
  input: Record<string, unknown>;
  /** Replicate's destination model. */
  destination?: string;
  queuePosition?: number;
  datasetBytes?: number;
  /** sha256 of the dataset as downloaded: the bytes the training got. */
  datasetSha256?: string;
  submittedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** When the LoRA was produced (status COMPLETED). */
  completedAt?: string;
  error?: { status: number; body: unknown };
  /** Size of the LoRA file (Replicate: of the archive) once produced. */
  outputBytes?: number;
  /** The faults asked for, and what the emulator did because of them. */
  faults: EmulatorFaults;
  faultsApplied: AppliedFault[];
}

export interface LogLine {
  message: string;
  level: 'INFO' | 'ERROR';
  source: 'USER';
  timestamp: string;
}

export interface Entry {
  view: EmulatedRequest;
  logs: LogLine[];
  datasetReady: boolean;
  files: Map<string, StoredFile>;
  /** Output field → name of the file it points at. */
  outputFiles?: Record<string, string>;
  counter: FaultCounter;
  timer?: NodeJS.Timeout;
  /** Steps done before this run of the emulator, for a request resumed from dataDir. */
  resumedFrom: number;
  runStartedAt?: number;
}

const TERMINAL: readonly EmulatedStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'FORGOTTEN'];
export const isTerminalStatus = (status: EmulatedStatus) => TERMINAL.includes(status);
