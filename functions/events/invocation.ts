// What every Lambda doorway shares, whatever its event kind: the event is parsed with zod before the handler
// sees it, and the invocation logs with a context of its own (function name and request id from the Lambda
// context, plus the keys its event names), so that no line carries another invocation's function or job.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { logger, withOwnLogger } from '#adapters/logger';

interface InvocationOptions<S extends z.ZodType> {
  /** The event's shape; a parse failure fails the invocation. */
  event: S;
  /** Log keys from the parsed event and the context (a job id, a connection id, a request id). */
  logKeys?: (event: z.output<S>, context: Context) => Record<string, unknown>;
}

type Handler<R> = (event: unknown, context?: Context) => Promise<R>;

export function invocation<S extends z.ZodType, R>(
  options: InvocationOptions<S>,
  fn: (event: z.output<S>, context: Context) => Promise<R>,
): Handler<R> {
  // No early timeout: a function that runs out of time fails as Lambda reports it, as it did before middy.
  const wrapped = middy(async (event: unknown, context: Context) => fn(event as z.output<S>, context), { timeoutEarlyInMillis: 0 })
    // Each invocation's logger is a fresh child (withOwnLogger), so there are no keys to reset.
    .use(injectLambdaContext(logger))
    .use({
      before: (request) => {
        const event = options.event.parse(request.event);
        request.event = event;
        if (options.logKeys) logger.appendKeys(options.logKeys(event, request.context));
      },
    });
  return (event, context) => withOwnLogger(() => wrapped(event, context ?? ({} as Context)) as Promise<R>);
}
