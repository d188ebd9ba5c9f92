// The local EventBridge Scheduler as the local cloud runs it (aws/scheduler.ts does the API and the firing): the
// template's schedule groups, its requests authorized by local IAM with the key each is signed with, its targets
// invoked through the local Lambda runtime as the schedule's execution role (refused unless that role may
// lambda:InvokeFunction the function, as in AWS), and its dead-letter events appended to a file per queue.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalIam } from './aws/iam';
import { functionArn, localQueueArn, type LambdaRuntime } from './aws/lambda-runtime';
import { localScheduler, type DeadLetterMessage, type LocalScheduler, type SchedulerClock } from './aws/scheduler';
import type { StackTemplate } from './template';

const SCHEDULER_SERVICE = 'scheduler.amazonaws.com';

export interface SchedulerServiceOptions {
  template: StackTemplate;
  iam: LocalIam;
  runtime: LambdaRuntime;
  /** The data folder: schedules in `scheduler/scheduler.json`, dead letters in `scheduler/dead-letters/<queue>.jsonl`. */
  dataDir: string;
  clock: SchedulerClock;
  log: (line: string) => void;
}

export interface SchedulerService {
  scheduler: LocalScheduler;
  /** The environment the handlers read (docs/internals.md): each variable naming a group, queue or function, locally. */
  environment: Record<string, string>;
  /** The group the stack's schedules live in (nextRunAt asks there). */
  group: string;
  /** The file a queue's dead-letter events are appended to. */
  deadLetterFile(queueArn: string): string;
}

/** A failed attempt, named as the Lambda service names the error (the dead-letter event's ERROR_CODE). */
const failure = (name: string, message: string) => Object.assign(new Error(message), { name });

export function schedulerService(options: SchedulerServiceOptions): SchedulerService {
  const { template, iam, runtime, log } = options;
  const folder = join(options.dataDir, 'scheduler');
  const deadLetters = join(folder, 'dead-letters');
  mkdirSync(deadLetters, { recursive: true });

  const groups = template.scheduleGroups();
  if (groups.length !== 1) throw new Error(`Expected one schedule group in the template, found ${groups.length}.`);
  const group = groups[0]!.name;
  const queues = new Map(template.queues().map((q) => [localQueueArn(q.logicalId), q]));
  const functions = new Map(listHandlers(template).map((h) => [functionArn(h), h]));
  const deadLetterFile = (queueArn: string) => join(deadLetters, `${queueArn.slice(queueArn.lastIndexOf(':') + 1)}.jsonl`);

  const environment: Record<string, string> = {};
  for (const g of groups) for (const variable of g.variables) environment[variable] = g.name;
  for (const q of queues.values()) for (const variable of q.arnVariables) environment[variable] = localQueueArn(q.logicalId);
  for (const [variable, handler] of Object.entries(template.functionArnVariables())) environment[variable] = functionArn(handler);

  const scheduler = localScheduler({
    folder,
    clock: options.clock,
    // Every account has the default group; the stack adds its own.
    groups: ['default', ...groups.map((g) => g.name)],
    authorize: (accessKeyId, action, resource, token) => iam.authorize(accessKeyId, action, resource, token),
    async invoke(targetArn, input, roleArn) {
      const allowed = iam.authorizeServiceRole(SCHEDULER_SERVICE, roleArn, 'lambda:InvokeFunction', targetArn);
      if (!allowed.allowed) throw failure('AccessDeniedException', allowed.message);
      const handler = functions.get(targetArn);
      if (!handler) throw failure('ResourceNotFoundException', `Function not found: ${targetArn}`);
      let event: unknown;
      try {
        event = input === '' ? {} : JSON.parse(input);
      } catch {
        throw failure('InvalidRequestContentException', 'Could not parse request body into json: the schedule\'s Input is not JSON.');
      }
      const outcome = await runtime.invoke(handler, event);
      if (!outcome.ok) throw failure(outcome.error.errorType, outcome.error.errorMessage);
    },
    deadLetter(queueArn, message: DeadLetterMessage, roleArn) {
      const allowed = iam.authorizeServiceRole(SCHEDULER_SERVICE, roleArn, 'sqs:SendMessage', queueArn);
      if (!allowed.allowed) throw failure('AccessDeniedException', allowed.message);
      if (!queues.has(queueArn)) throw failure('AWS.SimpleQueueService.NonExistentQueue', `The specified queue does not exist: ${queueArn}`);
      appendFileSync(deadLetterFile(queueArn), `${JSON.stringify({ ...message, sentAt: new Date().toISOString() })}\n`);
      const { SCHEDULE_ARN, INVOCATION_TIME, RETRY_ATTEMPTS, ERROR_CODE, ERROR_MESSAGE } = message.attributes;
      log(`[scheduler] ${SCHEDULE_ARN?.slice(SCHEDULE_ARN.indexOf(':schedule/') + 10)} firing of ${INVOCATION_TIME} failed after ${RETRY_ATTEMPTS} retries (${ERROR_CODE}: ${ERROR_MESSAGE}); dead letter in ${deadLetterFile(queueArn)}`);
    },
  });
  return { scheduler, environment, group, deadLetterFile };
}

/** The handler of every Loraworks function in the template. */
function listHandlers(template: StackTemplate): string[] {
  return Object.entries(template.resourcesById())
    .filter(([, r]) => r?.Type === 'AWS::Lambda::Function' && typeof r.Metadata?.['loraworks:handler'] === 'string')
    .map(([id]) => template.handlerOf(id));
}
