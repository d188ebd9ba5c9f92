// A training submitted to the emulator, as the routes hand it to the queue, and the entry it starts as: waiting
// in the queue, under an id shaped as its provider shapes them.
import { randomUUID } from 'node:crypto';
import type { AppliedFault, EmulatorFaults, FaultCounter } from './faults';
import type { Entry } from './request';
import type { EmulatedTrainer } from './trainer-schema';

export interface Submission {
  trainer: EmulatedTrainer;
  /** The endpoint submitted to: the trainer's id, or a fal sub-path of it. */
  endpoint: string;
  input: Record<string, unknown>;
  faults: EmulatorFaults;
  /** Faults already applied to the submission's answers. */
  applied: AppliedFault[];
  destination?: string;
}

/** The submission's entry, IN_QUEUE at step 0 of 0; the queue sets its steps and its fault counter. */
export function submittedEntry(submission: Submission): Entry {
  const { trainer, endpoint, input, faults } = submission;
  const requestId = trainer.protocol === 'replicate' ? replicateId() : randomUUID();
  return {
    view: {
      requestId, endpoint, protocol: trainer.protocol, status: 'IN_QUEUE', cancelRequested: false, step: 0, totalSteps: 0, input,
      ...(submission.destination ? { destination: submission.destination } : {}),
      submittedAt: new Date().toISOString(), faults, faultsApplied: [...submission.applied],
    },
    logs: [], datasetReady: false, files: new Map(), resumedFrom: 0, counter: undefined as unknown as FaultCounter,
  };
}

/** Replicate ids: 26 lowercase base-32 characters. */
function replicateId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from(crypto.getRandomValues(new Uint8Array(26)), (byte) => alphabet[byte % 32]).join('');
}
