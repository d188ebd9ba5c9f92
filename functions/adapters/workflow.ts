// Starts the Training state machine. The execution is named after the job, so a second start is harmless.
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { config } from './config';

let client: SFNClient | undefined;

/** Created on first use; the endpoint comes from AWS_ENDPOINT_URL_SFN (the SDK reads it). */
export const sfn = (): SFNClient => (client ??= new SFNClient({}));

export async function startTraining(jobId: string, owner: string): Promise<void> {
  try {
    await sfn().send(new StartExecutionCommand({
      stateMachineArn: config.stateMachineArn,
      name: jobId,
      input: JSON.stringify({ jobId, owner }),
    }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionAlreadyExists') return;
    throw error;
  }
}
