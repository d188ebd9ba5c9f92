// One EventBridge Scheduler schedule per Loraworks schedule, in the stack's group, named `lw-{scheduleId}`: it
// invokes the `retrain` function (under the role Scheduler assumes) with the schedule, its owner and the firing's
// scheduled time, retried for an hour and then sent to the dead-letter queue. UpdateSchedule replaces the whole
// definition, as Scheduler requires, so create and update send the same one.
import {
  CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient, UpdateScheduleCommand, type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import type { ScheduleRecord } from '#domain/schedules';
import { config, sdkHttp } from './config';

let client: SchedulerClient | undefined;

/** Created on first use; the endpoint comes from AWS_ENDPOINT_URL_SCHEDULER (the SDK reads it). */
export const scheduler = (): SchedulerClient => (client ??= new SchedulerClient(sdkHttp));

export const schedulerName = (scheduleId: string) => `lw-${scheduleId}`;

/** Scheduler replaces this placeholder with the firing's scheduled time (ISO 8601) in the target's input. */
const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

type Timing = Pick<ScheduleRecord, 'id' | 'owner' | 'expression' | 'timezone' | 'enabled'>;

export function schedulerDefinition(schedule: Timing): CreateScheduleCommandInput {
  const once = schedule.expression.trim().startsWith('at(');
  return {
    Name: schedulerName(schedule.id),
    GroupName: config.scheduleGroup,
    ScheduleExpression: schedule.expression,
    ScheduleExpressionTimezone: schedule.timezone,
    State: schedule.enabled ? 'ENABLED' : 'DISABLED',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: config.retrainFunctionArn,
      RoleArn: config.schedulerRoleArn,
      Input: JSON.stringify({ scheduleId: schedule.id, owner: schedule.owner, scheduledAt: SCHEDULED_TIME }),
      RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
      DeadLetterConfig: { Arn: config.scheduleDlqArn },
    },
    // A one-time schedule has nothing left to do once it fired.
    ...(once ? { ActionAfterCompletion: 'DELETE' as const } : {}),
  };
}

const named = (error: unknown, name: string) => error instanceof Error && error.name === name;

/** Creates the schedule's Scheduler schedule; one already there (a retried create) gets this definition. */
export async function createSchedulerSchedule(schedule: Timing): Promise<void> {
  try {
    await scheduler().send(new CreateScheduleCommand(schedulerDefinition(schedule)));
  } catch (error) {
    if (!named(error, 'ConflictException')) throw error;
    await scheduler().send(new UpdateScheduleCommand(schedulerDefinition(schedule)));
  }
}

/**
 * Replaces the schedule's Scheduler schedule with its current definition. One that is gone (an at() Scheduler
 * deleted after it fired) is created again when `recreate`, else left gone.
 */
export async function updateSchedulerSchedule(schedule: Timing, { recreate }: { recreate: boolean }): Promise<void> {
  try {
    await scheduler().send(new UpdateScheduleCommand(schedulerDefinition(schedule)));
  } catch (error) {
    if (!named(error, 'ResourceNotFoundException')) throw error;
    if (recreate) await scheduler().send(new CreateScheduleCommand(schedulerDefinition(schedule)));
  }
}

/** Removes the schedule's Scheduler schedule; one already gone is fine. */
export async function deleteSchedulerSchedule(scheduleId: string): Promise<void> {
  try {
    await scheduler().send(new DeleteScheduleCommand({ Name: schedulerName(scheduleId), GroupName: config.scheduleGroup }));
  } catch (error) {
    if (!named(error, 'ResourceNotFoundException')) throw error;
  }
}
