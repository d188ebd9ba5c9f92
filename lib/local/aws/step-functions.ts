// A Step Functions endpoint (the AWS JSON 1.0 protocol the SDK's SFNClient speaks) that runs executions
// of the synthesized definition in aws-local-stepfunctions. Task states invoke Lambda through the real
// Lambda client, pointed at the local Lambda API by AWS_ENDPOINT_URL_LAMBDA, signed with the state machine
// role's key (`states`). With an `iam`, each request is authorized for the key that signed it, as AWS does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StateMachine } from 'aws-local-stepfunctions';
import { readBody } from '#local/http-util';
import { STATES_PRINCIPAL, type Authorizer } from './iam';
import { principalCredentials, signedAccessKey } from './local-credentials';
import { LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_STATE_MACHINE_ARN, STATE_MACHINE_NAME } from './lambda-runtime';

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface Execution {
  arn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  abort: () => void;
  done: Promise<void>;
}

export interface LocalStepFunctions {
  stateMachineArn: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Resolves when every running execution has ended (tests use it to settle). */
  executions(): Execution[];
  stop(): void;
}

/** The request fields the served actions read (each action reads its own few). */
interface ActionInput {
  stateMachineArn?: string;
  name?: string;
  input?: string;
  executionArn?: string;
  error?: string;
  cause?: string;
  statusFilter?: ExecutionStatus;
}

export function localStepFunctions(definition: object, iam?: Authorizer): LocalStepFunctions {
  const stateMachineArn = LOCAL_STATE_MACHINE_ARN;
  const machine = new StateMachine(definition as never, {
    validationOptions: { checkArn: false, checkPaths: false },
    awsConfig: { region: LOCAL_REGION, credentials: { accessKeys: principalCredentials(STATES_PRINCIPAL) } },
  });
  const byArn = new Map<string, Execution>();
  const failStates = new Set(Object.values((definition as { States?: Record<string, { Type?: string; Error?: string }> }).States ?? {})
    .flatMap((state) => (state.Type === 'Fail' && state.Error ? [state.Error] : [])));
  let stopping = false;

  const executionArn = (name: string) => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${STATE_MACHINE_NAME}:${name}`;

  function start(name: string, input: string): Execution {
    const arn = executionArn(name);
    const run = machine.run(JSON.parse(input || '{}'), {
      noThrowOnAbort: true,
      context: { Execution: { Id: arn, Name: name, Input: JSON.parse(input || '{}'), StartTime: new Date().toISOString() } } as never,
    });
    const execution: Execution = { arn, name, input, status: 'RUNNING', startDate: new Date(), abort: run.abort, done: Promise.resolve() };
    execution.done = run.result.then(
      (output) => {
        if (execution.status !== 'RUNNING') return;
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(output ?? null);
      },
      (error: Error & { cause?: unknown }) => {
        if (execution.status !== 'RUNNING') return;
        const reason = error.cause instanceof Error ? error.cause : error;
        execution.status = error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
        execution.error = reason.name;
        execution.cause = reason.message;
        // Reaching one of the definition's Fail states is an outcome the job record already explains.
        if (!stopping && !failStates.has(reason.name)) console.error(`[step-functions] execution ${name} ${execution.status}: ${error.message}`);
      },
    ).finally(() => {
      execution.stopDate ??= new Date();
    });
    byArn.set(arn, execution);
    return execution;
  }

  const actions: Record<string, (body: ActionInput) => object> = {
    StartExecution(body) {
      if (body.stateMachineArn !== stateMachineArn) throw awsError('StateMachineDoesNotExist', `State machine ${body.stateMachineArn} does not exist.`);
      const name = body.name ?? crypto.randomUUID();
      const existing = byArn.get(executionArn(name));
      if (existing) {
        // AWS: the same name and input while running is idempotent; anything else is a conflict.
        if (existing.status === 'RUNNING' && existing.input === (body.input ?? '{}')) {
          return { executionArn: existing.arn, startDate: existing.startDate.getTime() / 1000 };
        }
        throw awsError('ExecutionAlreadyExists', `Execution ${name} already exists.`);
      }
      const execution = start(name, body.input ?? '{}');
      return { executionArn: execution.arn, startDate: execution.startDate.getTime() / 1000 };
    },
    DescribeExecution(body) {
      const e = byArn.get(body.executionArn ?? '');
      if (!e) throw awsError('ExecutionDoesNotExist', `Execution ${body.executionArn} does not exist.`);
      return {
        executionArn: e.arn, stateMachineArn, name: e.name, status: e.status, input: e.input, output: e.output,
        error: e.error, cause: e.cause,
        startDate: e.startDate.getTime() / 1000, stopDate: e.stopDate ? e.stopDate.getTime() / 1000 : undefined,
      };
    },
    StopExecution(body) {
      const e = byArn.get(body.executionArn ?? '');
      if (!e) throw awsError('ExecutionDoesNotExist', `Execution ${body.executionArn} does not exist.`);
      if (e.status === 'RUNNING') {
        e.status = 'ABORTED';
        e.error = body.error;
        e.cause = body.cause;
        e.stopDate = new Date();
        e.abort();
      }
      return { stopDate: (e.stopDate ?? new Date()).getTime() / 1000 };
    },
    ListExecutions(body) {
      const list = [...byArn.values()].filter((e) => !body.statusFilter || e.status === body.statusFilter);
      return {
        executions: list.map((e) => ({
          executionArn: e.arn, stateMachineArn, name: e.name, status: e.status,
          startDate: e.startDate.getTime() / 1000, stopDate: e.stopDate ? e.stopDate.getTime() / 1000 : undefined,
        })),
      };
    },
  };

  return {
    stateMachineArn,
    executions: () => [...byArn.values()],
    stop() {
      stopping = true;
      for (const e of byArn.values()) if (e.status === 'RUNNING') e.abort();
    },
    async handle(req, res) {
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = actions[target.replace(/^AWSStepFunctions\./, '')];
      const reply = (status: number, body: object) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
      };
      if (!action) return reply(400, { __type: 'UnknownOperationException', message: `${target} is not supported locally.` });
      try {
        const body: ActionInput = JSON.parse((await readBody(req)).toString('utf8') || '{}');
        if (iam) {
          const name = target.replace(/^AWSStepFunctions\./, '');
          const resource = name === 'StartExecution' || name === 'ListExecutions' ? body.stateMachineArn ?? '' : body.executionArn ?? '';
          const accessKeyId = signedAccessKey(req.headers.authorization);
          const decision = accessKeyId
            ? iam.authorize(accessKeyId, `states:${name}`, resource)
            : { allowed: false as const, unrecognized: true as const, message: 'The security token included in the request is invalid.' };
          if (!decision.allowed) return reply(400, { __type: decision.unrecognized ? 'UnrecognizedClientException' : 'AccessDeniedException', message: decision.message });
        }
        reply(200, action(body));
      } catch (error) {
        const e = error as Error & { awsType?: string };
        reply(400, { __type: e.awsType ?? 'InvalidParameterValue', message: e.message });
      }
    },
  };
}

function awsError(type: string, message: string) {
  return Object.assign(new Error(message), { awsType: type });
}
