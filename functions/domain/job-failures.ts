// Turns whatever stopped a training into a message a person can act on.
export interface TaskError {
  Error?: string;
  Cause?: string;
}

export interface Failure {
  code: string;
  message: string;
}

/** A cause that starts with an error class's name ("TrainerRejected: …", as the local Step Functions writes
 * it, or any "SomeError: …"): a person is told what went wrong, never which class said so. */
const CLASS_PREFIX = /^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+:\s+/;

function withoutClassName(message: string, name: string | undefined): string {
  if (name && message.startsWith(`${name}: `)) return message.slice(name.length + 2);
  return message.replace(CLASS_PREFIX, '');
}

/** Step Functions puts a Lambda error's JSON ({errorType, errorMessage, trace}) in Cause; keep only the message. */
function causeMessage(cause: string | undefined, name: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return withoutClassName(typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause, name);
  } catch {
    return withoutClassName(cause, name);
  }
}

export function failureFrom(error: TaskError | undefined): Failure {
  const name = error?.Error ?? 'Unknown';
  // Messages are put inside sentences below: no full stop of their own.
  const detail = causeMessage(error?.Cause, error?.Error)?.trim().replace(/\.+$/, '');
  switch (name) {
    case 'TrainerRejected':
      return { code: 'TRAINER_REJECTED', message: `The trainer refused the job: ${detail ?? 'no reason given'}. Check the parameters and the dataset, then start it again.` };
    case 'TrainerFailed':
      return { code: 'TRAINER_FAILED', message: `Training failed at the trainer: ${detail ?? 'no reason given'}. Adjust the dataset or parameters and start it again.` };
    case 'TrainerUnavailable':
      return { code: 'TRAINER_UNAVAILABLE', message: 'The trainer could not be reached after several tries. Start the job again in a few minutes.' };
    case 'TrainingTimedOut':
    case 'OverBudget':
    case 'PollBudgetExceeded':
    case 'States.Timeout':
      return { code: 'TRAINING_TIMEOUT', message: `${detail ?? 'The training took longer than allowed'}. It was stopped at the trainer. Try fewer steps or a smaller dataset, or start it again when the trainer is less busy.` };
    case 'TrainerLostJob':
      return {
        code: 'TRAINER_LOST_JOB',
        message: detail && /start .*again/i.test(detail) ? `${detail}.`
          : `${detail ?? 'The trainer no longer knows this job; it may have expired or been removed on its side'}. Start the job again.`,
      };
    case 'WorkflowLost':
      return { code: 'WORKFLOW_LOST', message: `${detail ?? 'The workflow following this job stopped'}. Start the job again; if it keeps happening, contact support with the job id.` };
    case 'InvalidArtifact':
      return { code: 'INVALID_ARTIFACT', message: `The trainer returned a file that is not a usable LoRA (${detail ?? 'unreadable'}). Start the job again.` };
    default:
      return { code: 'INTERNAL', message: 'Training stopped because of an internal error. Start the job again; if it keeps failing, contact support with the job id.' };
  }
}

/** The trainer's file is not a well-formed LoRA: the job fails rather than offering a broken download. */
export class InvalidArtifact extends Error {
  override readonly name = 'InvalidArtifact';
}

/** The trainer ended the job as failed (or cancelled it on its own). */
export const trainerFailed = (message: string | undefined) => ({ Error: 'TrainerFailed', Cause: message ?? 'no reason given' });

/** The trainer answers 404 for a job it accepted: it forgot it (expired, purged, or lost in an outage). */
export const trainerLostJob = (message: string | undefined) => ({ Error: 'TrainerLostJob', Cause: message ?? 'the trainer answered 404' });

/** What a person does about a failed job, by its error code: shown beside the message (web and CLI). */
export const FAILURE_ACTIONS: Readonly<Record<string, string>> = {
  TRAINER_REJECTED: 'Check the parameters and the dataset, then train again.',
  TRAINER_FAILED: 'Check the dataset (the validation report) and the parameters, then train again.',
  TRAINER_UNAVAILABLE: 'Retry in a few minutes: the trainer was unreachable.',
  TRAINING_TIMEOUT: 'Train again with fewer steps or a smaller dataset, or retry when the trainer is less busy.',
  TRAINER_LOST_JOB: 'Retry: the trainer lost the job on its side.',
  WORKFLOW_LOST: 'Retry; if it keeps happening, contact support with the job id.',
  INVALID_ARTIFACT: 'Retry: the trainer returned a broken file.',
  INTERNAL: 'Retry; if it keeps failing, contact support with the job id.',
};

/** The action for a failure: the code's, or "top up your fal balance" when the trainer said the account is out of credit. */
export function failureAction(error: { code: string; message: string }): string {
  if (/balance|credit|billing|payment|\blocked\b/i.test(error.message)) return 'Top up your fal balance (fal.ai → Billing), then retry.';
  return FAILURE_ACTIONS[error.code] ?? FAILURE_ACTIONS.INTERNAL!;
}
