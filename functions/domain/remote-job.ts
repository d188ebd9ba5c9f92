// A training as the job sees it at its trainer, whoever runs it: where to find it again, and what it is doing.
// Each provider answers in these terms; its own wire format stays in functions/providers/.
import type { TrainerLogLine } from './job-logs';
import type { Progress, Trainer } from './schemas';

/** Everything needed to find a submitted job at its provider again, stored on the job record. */
export interface RemoteJob {
  provider: Trainer['provider'];
  endpoint: string;
  requestId: string;
}

export interface RemoteStatus {
  state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  progress: Progress;
  error?: { code: string; message: string };
  /** The trainer's log lines so far, as it gave them (bounded when stored: job-logs.ts). */
  logs?: TrainerLogLine[];
}
