// A local EventBridge Scheduler: the REST-JSON operations `@aws-sdk/client-scheduler` sends for schedules
// (CreateSchedule POST /schedules/{Name}, GetSchedule GET /schedules/{Name}?groupName=, UpdateSchedule PUT,
// DeleteSchedule DELETE ?groupName=, ListSchedules GET /schedules?ScheduleGroup=), answering errors as AWS does
// (`x-amzn-errortype` ConflictException 409, ResourceNotFoundException 404, ValidationException 400), keeping the
// schedules in a JSON file in the data folder, and firing them on an injected clock: each `tick` delivers what
// came due since the last one through `invoke`, with the target's RetryPolicy and DeadLetterConfig.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '#local/http-util';
import type { Authorize } from './iam';
import { LOCAL_REGION } from './lambda-runtime';
import { checkSignature } from './sigv4';
import {
  type DeadLetter, type Delivery, type Invoke, catchUpAllowanceMs, deliver, firingsBetween, nextRunAt,
} from './scheduler-firing';
import { SchedulerError, checkName, described, scheduleArn, scheduleFile, scheduleFromBody, type StoredSchedule } from './scheduler-schedules';

import { type SchedulerClock, systemClock } from './scheduler-clock';

export type { DeadLetterMessage, Delivery } from './scheduler-firing';
export { manualClock, systemClock, type ManualClock, type SchedulerClock } from './scheduler-clock';

export interface LocalSchedulerOptions {
  /** The data folder; the schedules live in `scheduler.json` there. */
  folder: string;
  /** @default the system clock */
  clock?: SchedulerClock;
  /** Invokes a schedule's target (the local Lambda path); a rejection is a failed attempt. */
  invoke: Invoke;
  /** Sends a dead-letter event to a schedule's DeadLetterConfig queue. @default none: such events are dropped */
  deadLetter?: DeadLetter;
  /** The schedule groups that exist. @default ['default'] */
  groups?: readonly string[];
  /**
   * Whether the holder of an access key may perform `action` (`scheduler:CreateSchedule` on the schedule's ARN,
   * `iam:PassRole` on the target's role for Create and Update) as local IAM decides; with it, unsigned requests
   * and keys the local cloud never issued are refused. @default every request is allowed, signed or not
   */
  authorize?: Authorize;
}

export interface LocalScheduler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Delivers every firing due since the last tick; of those missed before this start only the latest (see catchUpAllowanceMs). */
  tick(now?: Date): Promise<Delivery[]>;
  /** When a schedule fires next, as the local Scheduler will fire it. */
  nextRunAt(name: string, group?: string): Date | undefined;
  /** Ticks every `intervalMs` on the clock until `stop` (one tick at a time; a failed tick is reported, not fatal). */
  start(intervalMs?: number, onError?: (error: Error) => void): void;
  /** Stops ticking and waits for a tick under way. */
  stop(): Promise<void>;
}

const key = (group: string, name: string) => `${group}/${name}`;
const dropped = (schedule: StoredSchedule, at: Date, error: string): Delivery => ({ schedule: schedule.Name, scheduledAt: at.toISOString(), outcome: 'DROPPED', attempts: 0, error });

export function localScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const clock = options.clock ?? systemClock;
  const groups = new Set(options.groups ?? ['default']);
  const file = scheduleFile(options.folder);
  const schedules = new Map(file.load().map((s) => [key(s.GroupName, s.Name), s]));
  const save = () => file.save(schedules.values());
  // Firings due before this instant were missed while the local cloud was stopped.
  const startedAtMs = clock.now().getTime();

  const group = (name: string | null | undefined): string => {
    const chosen = name || 'default';
    if (!groups.has(chosen)) throw new SchedulerError('ResourceNotFoundException', `Schedule group ${chosen} does not exist.`);
    return chosen;
  };
  const find = (groupName: string, name: string): StoredSchedule => {
    const found = schedules.get(key(groupName, name));
    if (!found) throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
    return found;
  };

  // One evaluation at a time: a tick asked for during another runs after it.
  let queue: Promise<unknown> = Promise.resolve();
  const tick = (now = clock.now()): Promise<Delivery[]> => {
    const run = queue.then(() => evaluate(now));
    queue = run.catch(() => undefined);
    return run;
  };

  async function evaluate(now: Date): Promise<Delivery[]> {
    const nowMs = now.getTime();
    const deliveries: Delivery[] = [];
    for (const schedule of [...schedules.values()]) {
      const from = schedule.evaluatedUntil;
      if (nowMs <= from) continue;
      // A disabled schedule does not fire, and enabling it again does not deliver what it skipped.
      if (schedule.State === 'DISABLED') {
        schedule.evaluatedUntil = nowMs;
        continue;
      }
      const due = firingsBetween(schedule, from, nowMs);
      const missed = due.filter((at) => at.getTime() < startedAtMs);
      const live: Array<{ at: Date; deliveredAtMs: number }> = due.filter((at) => at.getTime() >= startedAtMs).map((at) => ({ at, deliveredAtMs: at.getTime() }));
      const latest = missed.pop();
      for (const at of missed) deliveries.push(dropped(schedule, at, 'Missed while the local cloud was stopped; only the latest missed firing is delivered.'));
      if (latest && nowMs - latest.getTime() > catchUpAllowanceMs(schedule)) {
        deliveries.push(dropped(schedule, latest, 'Missed while the local cloud was stopped, longer ago than its flexible window and maximum event age.'));
      } else if (latest) {
        live.unshift({ at: latest, deliveredAtMs: nowMs });
      }
      for (const { at, deliveredAtMs } of live) {
        if (schedules.get(key(schedule.GroupName, schedule.Name)) !== schedule) break;
        // A firing while running is attempted at its time, so its age starts at zero, however far a test clock jumps.
        deliveries.push(await deliver(schedule, at, deliveredAtMs, options.invoke, options.deadLetter));
        // Marked done only once delivered: a stop during an invocation delivers it again after the start (at least
        // once, as Scheduler delivers; the target is idempotent for that reason).
        schedule.evaluatedUntil = Math.max(schedule.evaluatedUntil, at.getTime());
        save();
      }
      schedule.evaluatedUntil = Math.max(schedule.evaluatedUntil, nowMs);
      // ActionAfterCompletion DELETE: the schedule goes once it has made its last invocation (API Reference, CreateSchedule).
      const current = schedules.get(key(schedule.GroupName, schedule.Name)) === schedule;
      if (current && schedule.ActionAfterCompletion === 'DELETE' && !nextRunAt(schedule, nowMs)) schedules.delete(key(schedule.GroupName, schedule.Name));
    }
    save();
    return deliveries;
  }

  type Check = (action: string, resource: string) => void;
  function route(method: string, url: URL, body: Record<string, unknown>, check: Check): { status: number; body: unknown } {
    const nowMs = clock.now().getTime();
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/schedules' && method === 'GET') {
      check('scheduler:ListSchedules', '*');
      const groupName = url.searchParams.get('ScheduleGroup');
      const prefix = url.searchParams.get('NamePrefix') ?? '';
      const state = url.searchParams.get('State');
      const list = [...schedules.values()]
        .filter((s) => (!groupName || s.GroupName === groupName) && s.Name.startsWith(prefix) && (!state || s.State === state))
        .sort((a, b) => a.Name.localeCompare(b.Name))
        .map((s) => ({ Arn: s.Arn, CreationDate: s.CreationDate, GroupName: s.GroupName, LastModificationDate: s.LastModificationDate, Name: s.Name, State: s.State, Target: { Arn: s.Target.Arn } }));
      // NextToken is the offset of the next page; MaxResults 1-100 as the API Reference allows.
      const max = Number(url.searchParams.get('MaxResults') ?? 100);
      if (!Number.isInteger(max) || max < 1 || max > 100) throw new SchedulerError('ValidationException', 'MaxResults must be a whole number from 1 to 100.');
      const offset = Number(url.searchParams.get('NextToken') ?? 0);
      if (!Number.isInteger(offset) || offset < 0) throw new SchedulerError('ValidationException', 'NextToken is not one this Scheduler gave out.');
      const page = list.slice(offset, offset + max);
      return { status: 200, body: { Schedules: page, ...(offset + max < list.length ? { NextToken: String(offset + max) } : {}) } };
    }
    const match = /^\/schedules\/([^/]+)$/.exec(path);
    if (!match?.[1]) throw new SchedulerError('ResourceNotFoundException', `The local Scheduler has no resource at ${method} ${url.pathname}.`);
    const name = checkName(decodeURIComponent(match[1]));
    const operation = ({ POST: 'CreateSchedule', PUT: 'UpdateSchedule', GET: 'GetSchedule', DELETE: 'DeleteSchedule' } as Record<string, string>)[method];
    const groupName = method === 'POST' || method === 'PUT' ? (typeof body.GroupName === 'string' ? body.GroupName : 'default') : url.searchParams.get('groupName') || 'default';
    if (operation) check(`scheduler:${operation}`, scheduleArn(groupName, name));
    if ((method === 'POST' || method === 'PUT') && typeof (body.Target as { RoleArn?: unknown } | undefined)?.RoleArn === 'string') {
      check('iam:PassRole', (body.Target as { RoleArn: string }).RoleArn);
    }
    switch (method) {
      case 'POST': {
        const schedule = scheduleFromBody(name, body, nowMs);
        group(schedule.GroupName);
        if (schedules.has(key(schedule.GroupName, name))) throw new SchedulerError('ConflictException', `Schedule ${name} already exists.`);
        schedules.set(key(schedule.GroupName, name), schedule);
        save();
        return { status: 200, body: { ScheduleArn: schedule.Arn } };
      }
      case 'PUT': {
        const existing = find(group(body.GroupName as string | undefined), name);
        const schedule = scheduleFromBody(name, body, nowMs, existing);
        schedules.set(key(schedule.GroupName, name), schedule);
        save();
        return { status: 200, body: { ScheduleArn: schedule.Arn } };
      }
      case 'GET':
        return { status: 200, body: described(find(group(url.searchParams.get('groupName')), name)) };
      case 'DELETE': {
        const schedule = find(group(url.searchParams.get('groupName')), name);
        schedules.delete(key(schedule.GroupName, name));
        save();
        return { status: 200, body: {} };
      }
      default:
        throw new SchedulerError('ValidationException', `The local Scheduler does not answer ${method} on a schedule.`);
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  return {
    tick,
    start(intervalMs = 1000, onError = (error) => console.error(`The local Scheduler's tick failed: ${error.message}`)) {
      if (timer) return;
      const beat = () => {
        running = tick().catch((error: unknown) => onError(error as Error)).finally(() => {
          if (timer) timer = setTimeout(beat, intervalMs);
        });
      };
      timer = setTimeout(beat, 0);
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
    nextRunAt(name, groupName = 'default') {
      const schedule = schedules.get(key(groupName, name));
      if (!schedule || schedule.State === 'DISABLED') return undefined;
      return nextRunAt(schedule, Math.max(schedule.evaluatedUntil, clock.now().getTime()));
    },
    async handle(req, res) {
      const answer = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, { 'content-type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(body));
      };
      try {
        const bytes = await readBody(req, 1024 * 1024);
        const raw = bytes.toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          const parsed: unknown = raw ? JSON.parse(raw) : {};
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        } catch {
          throw new SchedulerError('ValidationException', 'The request body is not JSON.');
        }
        const authorize = options.authorize;
        let check: Check = () => undefined;
        if (authorize) {
          // Signed (SigV4, service `scheduler`) with a key the local cloud issued, and the signature checks out.
          const signer = await checkSignature(req, bytes, 'scheduler', LOCAL_REGION);
          if ('type' in signer) throw new SchedulerError(signer.type, signer.message);
          check = (action, resource) => {
            const decision = authorize(signer.accessKeyId, action, resource, signer.sessionToken);
            if (!decision.allowed) throw new SchedulerError(decision.unrecognized ? 'UnrecognizedClientException' : 'AccessDeniedException', decision.message);
          };
        }
        const result = route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://scheduler.local'), body, check);
        answer(result.status, result.body);
      } catch (error) {
        if (error instanceof SchedulerError) answer(error.status, { Message: error.message }, error.type);
        else answer(500, { Message: (error as Error).message }, 'InternalServerException');
      }
    },
  };
}
