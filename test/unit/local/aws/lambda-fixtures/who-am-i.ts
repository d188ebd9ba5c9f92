// A handler that tells which credentials its sandbox holds and what its context says.
import type { LambdaContext } from '#local/aws/lambda-runtime';

let invocations = 0;

export const handler = async (event: { fail?: boolean; answerBytes?: number; busyMs?: number }, context: LambdaContext) => {
  if (event.busyMs) await new Promise((resolve) => setTimeout(resolve, event.busyMs)); // a long task, cut short by a stop
  if (event.fail) throw Object.assign(new Error('asked to fail'), { name: 'AskedToFail' });
  if (event.answerBytes) return 'x'.repeat(event.answerBytes - 2); // a JSON string: its quotes are the other 2 bytes
  invocations += 1;
  return {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    functionName: context.functionName,
    remaining: context.getRemainingTimeInMillis(),
    invocations,
    setting: process.env.LORAWORKS_TEST_SETTING,
  };
};
