// The doorway of a scheduled function (EventBridge, or the local cloud at start): its input, parsed.
import type { z } from 'zod';
import { invocation } from './invocation';

export const scheduled = <S extends z.ZodType, R>(input: S, fn: (input: z.output<S>) => Promise<R>) =>
  invocation({ event: input }, (event) => fn(event));
