// Starts and inspects the Training state machine. The first execution is named after the job, so a second
// start is harmless; the reconciler's restarts are named `${jobId}-r${n}`.
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionStatus } from '#domain/reconcile';
import { config, sdkHttp } from './config';

let client: SFNClient | undefined;

/** Created on first use; the endpoint comes from AWS_ENDPOINT_URL_SFN (the SDK reads it). */
export const sfn = (): SFNClient => (client ??= new SFNClient(sdkHttp));

export async function startTraining(jobId: string, owner: string, name = jobId): Promise<void> {
  try {
    await sfn().send(new StartExecutionCommand({
      stateMachineArn: config.stateMachineArn,
      name,
      input: JSON.stringify({ jobId, owner }),
    }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionAlreadyExists') return;
    throw error;
  }
}

/** arn:aws:states:{region}:{account}:stateMachine:{machine} → …:execution:{machine}:{name} */
export const executionArn = (name: string): string =>
  `${config.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

export async function executionStatus(name: string): Promise<ExecutionStatus> {
  try {
    const { status } = await sfn().send(new DescribeExecutionCommand({ executionArn: executionArn(name) }));
    // PENDING_REDRIVE is a failed execution about to run again: as good as running.
    return status === 'PENDING_REDRIVE' ? 'RUNNING' : ((status ?? 'MISSING') as ExecutionStatus);
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return 'MISSING';
    throw error;
  }
}

export async function stopExecution(name: string, cause: string): Promise<void> {
  try {
    await sfn().send(new StopExecutionCommand({ executionArn: executionArn(name), error: 'Reconciled', cause }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return;
    throw error;
  }
}
