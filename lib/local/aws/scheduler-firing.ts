// When a local schedule fires and how one firing is delivered: the times due in a span, the target's input
// with Scheduler's context attributes filled in, and the RetryPolicy then the DeadLetterConfig.
import { randomUUID } from 'node:crypto';
import { nextRuns } from '#domain/schedule-expression';
import type { StoredSchedule } from './scheduler-schedules';

/** At most this many firings of one schedule in one tick (a rate(1 minute) across a long advance). */
const MAX_FIRINGS_PER_TICK = 1000;

/** The schedule's fire times in (fromMs, toMs], inside its StartDate / EndDate. */
export function firingsBetween(schedule: StoredSchedule, fromMs: number, toMs: number): Date[] {
  const startMs = schedule.StartDate === undefined ? undefined : schedule.StartDate * 1000;
  const endMs = schedule.EndDate === undefined ? Infinity : schedule.EndDate * 1000;
  const after = new Date(Math.max(fromMs, (startMs ?? -Infinity) - 1));
  // A rate() counts from its StartDate, else from its creation (User Guide, "Rate-based schedules").
  const start = new Date(startMs ?? schedule.CreationDate * 1000);
  return nextRuns(schedule.ScheduleExpression, schedule.ScheduleExpressionTimezone, after, MAX_FIRINGS_PER_TICK, { start })
    .filter((at) => at.getTime() <= toMs && at.getTime() < endMs);
}

/** When the schedule fires next after `afterMs`; none for an at() once it fired, a cron past its years or EndDate. */
export function nextRunAt(schedule: StoredSchedule, afterMs: number): Date | undefined {
  const endMs = schedule.EndDate === undefined ? Infinity : schedule.EndDate * 1000;
  const startMs = schedule.StartDate === undefined ? undefined : schedule.StartDate * 1000;
  const after = new Date(Math.max(afterMs, (startMs ?? -Infinity) - 1));
  const [next] = nextRuns(schedule.ScheduleExpression, schedule.ScheduleExpressionTimezone, after, 1, { start: new Date(startMs ?? schedule.CreationDate * 1000) });
  return next && next.getTime() < endMs ? next : undefined;
}

/**
 * A firing missed while the local cloud was stopped. EventBridge Scheduler never stops, so there is no AWS
 * behaviour to copy exactly; the nearest is what it does with a late delivery: it invokes the target within the
 * FlexibleTimeWindow after the scheduled time (User Guide, "Configuring a flexible time window") and keeps retrying
 * until the event is MaximumEventAgeInSeconds old, then gives it up (User Guide, "Configuring a retry policy";
 * API Reference, RetryPolicy). So the local one delivers the latest missed firing once if it is younger than the
 * larger of the two, and drops it (and every older one) otherwise.
 */
export function catchUpAllowanceMs(schedule: StoredSchedule): number {
  const windowMs = (schedule.FlexibleTimeWindow.MaximumWindowInMinutes ?? 0) * 60_000;
  return Math.max(windowMs, schedule.Target.RetryPolicy.MaximumEventAgeInSeconds * 1000);
}

/** Scheduler's context attributes in the target's Input (User Guide, "Adding context attributes"). */
export function inputFor(schedule: StoredSchedule, at: Date, executionId: string, attempt: number): string {
  return (schedule.Target.Input ?? '')
    .replaceAll('<aws.scheduler.schedule-arn>', schedule.Arn)
    .replaceAll('<aws.scheduler.scheduled-time>', at.toISOString().replace(/\.\d{3}Z$/, 'Z'))
    .replaceAll('<aws.scheduler.execution-id>', executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(attempt));
}

export interface DeadLetterMessage {
  /** The target's input, as the schedule would have delivered it. */
  body: string;
  /** The dead-letter event's message attributes (User Guide, "Configuring a dead-letter queue"). */
  attributes: Record<string, string>;
}

/** Invokes the target as the schedule's execution role (`roleArn`), as Scheduler does; a rejection is a failed attempt. */
export type Invoke = (targetArn: string, input: string, roleArn: string) => Promise<void>;
/** Sends a dead-letter event to the queue as the schedule's execution role (Scheduler sends it with that role). */
export type DeadLetter = (queueArn: string, message: DeadLetterMessage, roleArn: string) => Promise<void> | void;

export interface Delivery {
  schedule: string;
  scheduledAt: string;
  outcome: 'DELIVERED' | 'DEAD_LETTERED' | 'DROPPED';
  attempts: number;
  error?: string;
}

/**
 * Delivers one firing: the first attempt and up to MaximumRetryAttempts retries while the event is younger
 * than MaximumEventAgeInSeconds; then, with a DeadLetterConfig, the dead-letter event. Scheduler spaces its
 * retries with back-off and jitter; the local one retries at once, since the event's age is what ends them.
 */
export async function deliver(schedule: StoredSchedule, at: Date, deliveredAtMs: number, invoke: Invoke, deadLetter?: DeadLetter): Promise<Delivery> {
  const executionId = randomUUID();
  const { MaximumRetryAttempts, MaximumEventAgeInSeconds } = schedule.Target.RetryPolicy;
  const tooOld = () => deliveredAtMs - at.getTime() > MaximumEventAgeInSeconds * 1000;
  let attempts = 0;
  let error = 'The event was older than MaximumEventAgeInSeconds before its first attempt.';
  let code = 'MaximumEventAgeExceeded';
  while (attempts <= MaximumRetryAttempts && !tooOld()) {
    attempts += 1;
    try {
      await invoke(schedule.Target.Arn, inputFor(schedule, at, executionId, attempts), schedule.Target.RoleArn);
      return { schedule: schedule.Name, scheduledAt: at.toISOString(), outcome: 'DELIVERED', attempts };
    } catch (failure) {
      error = (failure as Error).message;
      code = (failure as Error).name || 'Error';
    }
  }
  const result = { schedule: schedule.Name, scheduledAt: at.toISOString(), attempts, error };
  const queue = schedule.Target.DeadLetterConfig?.Arn;
  if (!queue || !deadLetter) return { ...result, outcome: 'DROPPED' };
  try {
    await deadLetter(queue, {
      body: inputFor(schedule, at, executionId, attempts),
      attributes: {
        ERROR_CODE: code, ERROR_MESSAGE: error, EXECUTION_ID: executionId, RETRY_ATTEMPTS: String(Math.max(0, attempts - 1)),
        SCHEDULE_ARN: schedule.Arn, TARGET_ARN: schedule.Target.Arn, INVOCATION_TIME: at.toISOString(),
      },
    }, schedule.Target.RoleArn);
  } catch (failure) {
    // Scheduler drops an event it cannot send to the queue (its FailedToBeSentToDLQ metric counts them).
    return { ...result, outcome: 'DROPPED', error: `${error} The dead-letter event could not be sent either: ${(failure as Error).message}` };
  }
  return { ...result, outcome: 'DEAD_LETTERED' };
}
