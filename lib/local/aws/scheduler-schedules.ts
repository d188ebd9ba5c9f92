// The local EventBridge Scheduler's schedules: the request bodies of CreateSchedule / UpdateSchedule checked as
// the Scheduler API Reference states them (CreateSchedule, Target, RetryPolicy, FlexibleTimeWindow), the record
// it keeps, and the JSON file that keeps them across restarts.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScheduleExpressionError, checkTimeZone, parseScheduleExpression } from '#domain/schedule-expression';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './lambda-runtime';

const STATUS = {
  ValidationException: 400, ConflictException: 409, ResourceNotFoundException: 404,
  AccessDeniedException: 403, MissingAuthenticationTokenException: 403, UnrecognizedClientException: 403,
  InvalidSignatureException: 403, IncompleteSignatureException: 403,
} as const;

export class SchedulerError extends Error {
  constructor(readonly type: keyof typeof STATUS, message: string) {
    super(message);
  }

  get status(): number {
    return STATUS[this.type];
  }
}

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy: { MaximumEventAgeInSeconds: number; MaximumRetryAttempts: number };
  DeadLetterConfig?: { Arn: string };
}

export interface StoredSchedule {
  Name: string;
  GroupName: string;
  Arn: string;
  Description?: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  StartDate?: number;
  EndDate?: number;
  State: 'ENABLED' | 'DISABLED';
  ActionAfterCompletion: 'NONE' | 'DELETE';
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  Target: ScheduleTarget;
  /** Epoch seconds, as the API answers them. */
  CreationDate: number;
  LastModificationDate: number;
  /** Epoch milliseconds up to which the schedule's firings have been delivered (or dropped). */
  evaluatedUntil: number;
}

/** Scheduler's defaults for a target without a RetryPolicy (API Reference, RetryPolicy). */
export const DEFAULT_RETRY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 };

export const scheduleArn = (group: string, name: string) => `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${group}/${name}`;

const invalid = (message: string): never => {
  throw new SchedulerError('ValidationException', message);
};
const record = (value: unknown, name: string): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(`${name} is required and must be an object.`);
  return value as Record<string, unknown>;
};
const text = (value: unknown, name: string, max: number): string => {
  if (typeof value !== 'string' || value.length < 1 || value.length > max) invalid(`${name} is required: a string of 1-${max} characters.`);
  return value as string;
};
const integer = (value: unknown, name: string, min: number, max: number, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) invalid(`${name} must be a whole number from ${min} to ${max}.`);
  return value as number;
};
const oneOf = <T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T => {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) invalid(`${name} must be one of ${allowed.join(', ')}.`);
  return value as T;
};
const epochSeconds = (value: unknown, name: string): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(`${name} must be a timestamp (epoch seconds).`);
  return value as number;
};

export function checkName(name: string): string {
  if (!/^[0-9a-zA-Z\-_.]{1,64}$/.test(name)) invalid(`Schedule name "${name}" must be 1-64 characters of 0-9, a-z, A-Z, -, _ and .`);
  return name;
}

/** A CreateSchedule / UpdateSchedule body as the schedule it describes (UpdateSchedule replaces every field). */
export function scheduleFromBody(name: string, body: Record<string, unknown>, nowMs: number, existing?: StoredSchedule): StoredSchedule {
  const GroupName = body.GroupName === undefined ? 'default' : text(body.GroupName, 'GroupName', 64);
  const ScheduleExpression = text(body.ScheduleExpression, 'ScheduleExpression', 256);
  const ScheduleExpressionTimezone = body.ScheduleExpressionTimezone === undefined ? 'UTC' : text(body.ScheduleExpressionTimezone, 'ScheduleExpressionTimezone', 50);
  try {
    parseScheduleExpression(ScheduleExpression);
    checkTimeZone(ScheduleExpressionTimezone);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) invalid(`Invalid Schedule Expression ${ScheduleExpression}: ${error.message}`);
    throw error;
  }
  const window = record(body.FlexibleTimeWindow, 'FlexibleTimeWindow');
  if (window.Mode === undefined) invalid('FlexibleTimeWindow.Mode is required: OFF or FLEXIBLE.');
  const Mode = oneOf(window.Mode, 'FlexibleTimeWindow.Mode', ['OFF', 'FLEXIBLE'] as const, 'OFF');
  if (Mode === 'FLEXIBLE' && window.MaximumWindowInMinutes === undefined) invalid('FlexibleTimeWindow.MaximumWindowInMinutes is required when Mode is FLEXIBLE (1-1440).');
  if (Mode === 'OFF' && window.MaximumWindowInMinutes !== undefined) invalid('FlexibleTimeWindow.MaximumWindowInMinutes is only allowed when Mode is FLEXIBLE.');
  const target = record(body.Target, 'Target');
  const retry = target.RetryPolicy === undefined ? {} : record(target.RetryPolicy, 'Target.RetryPolicy');
  const dlq = target.DeadLetterConfig === undefined ? undefined : record(target.DeadLetterConfig, 'Target.DeadLetterConfig');
  const Target: ScheduleTarget = {
    Arn: text(target.Arn, 'Target.Arn', 1600),
    RoleArn: text(target.RoleArn, 'Target.RoleArn', 1600),
    ...(target.Input === undefined ? {} : { Input: text(target.Input, 'Target.Input', 8192) }),
    RetryPolicy: {
      MaximumEventAgeInSeconds: integer(retry.MaximumEventAgeInSeconds, 'Target.RetryPolicy.MaximumEventAgeInSeconds', 60, 86_400, DEFAULT_RETRY.MaximumEventAgeInSeconds),
      MaximumRetryAttempts: integer(retry.MaximumRetryAttempts, 'Target.RetryPolicy.MaximumRetryAttempts', 0, 185, DEFAULT_RETRY.MaximumRetryAttempts),
    },
    ...(dlq ? { DeadLetterConfig: { Arn: text(dlq.Arn, 'Target.DeadLetterConfig.Arn', 1600) } } : {}),
  };
  const now = nowMs / 1000;
  const StartDate = epochSeconds(body.StartDate, 'StartDate');
  const EndDate = epochSeconds(body.EndDate, 'EndDate');
  return {
    Name: name,
    GroupName,
    Arn: scheduleArn(GroupName, name),
    ...(body.Description === undefined ? {} : { Description: text(body.Description, 'Description', 512) }),
    ScheduleExpression,
    ScheduleExpressionTimezone,
    ...(StartDate === undefined ? {} : { StartDate }),
    ...(EndDate === undefined ? {} : { EndDate }),
    State: oneOf(body.State, 'State', ['ENABLED', 'DISABLED'] as const, 'ENABLED'),
    ActionAfterCompletion: oneOf(body.ActionAfterCompletion, 'ActionAfterCompletion', ['NONE', 'DELETE'] as const, 'NONE'),
    FlexibleTimeWindow: { Mode, ...(Mode === 'FLEXIBLE' ? { MaximumWindowInMinutes: integer(window.MaximumWindowInMinutes, 'FlexibleTimeWindow.MaximumWindowInMinutes', 1, 1440, 1) } : {}) },
    Target,
    CreationDate: existing?.CreationDate ?? now,
    LastModificationDate: now,
    // An update counts from now: firings before it belonged to the old definition.
    evaluatedUntil: nowMs,
  };
}

/** What GetSchedule answers: the stored schedule without the local bookkeeping. */
export function described(schedule: StoredSchedule): Omit<StoredSchedule, 'evaluatedUntil'> {
  const { evaluatedUntil: _, ...rest } = schedule;
  return rest;
}

/** The schedules' file in the data folder; written whole, through a temporary file, so a crash leaves the old one. */
export function scheduleFile(folder: string) {
  const path = join(folder, 'scheduler.json');
  return {
    path,
    load(): StoredSchedule[] {
      try {
        return (JSON.parse(readFileSync(path, 'utf8')) as { schedules: StoredSchedule[] }).schedules;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new Error(`The local Scheduler's file ${path} is not readable JSON (${(error as Error).message}); move it away to start without schedules.`);
      }
    },
    save(schedules: Iterable<StoredSchedule>): void {
      mkdirSync(folder, { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify({ schedules: [...schedules] }, null, 2));
      renameSync(`${path}.tmp`, path);
    },
  };
}
