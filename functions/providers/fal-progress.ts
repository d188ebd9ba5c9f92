// What a fal queue status body says about a training's progress (its logs ride along with ?logs=1).
import { parseLogs, progressFromReading, type LogLine } from '#domain/progress';
import type { Progress } from '#domain/schemas';

export interface FalStatusBody {
  status: 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | string;
  queue_position?: number | null;
  logs?: LogLine[] | null;
}

/** Progress of one fal status poll. A COMPLETED status is reported at the last known step, not as done:
 * only the result call can tell success from failure. */
export function progressFromFalStatus(body: FalStatusBody): Progress {
  if (body.status === 'IN_QUEUE') {
    const position = typeof body.queue_position === 'number' ? body.queue_position : undefined;
    return {
      fraction: 0,
      ...(position === undefined ? {} : { queuePosition: position }),
      message: position === undefined ? 'Waiting in the trainer queue.' : `Waiting in the trainer queue (position ${position + 1}).`,
    };
  }
  const reading = body.logs ? parseLogs(body.logs) : undefined;
  return progressFromReading(reading, { running: body.status === 'IN_PROGRESS', eta: body.status !== 'COMPLETED' });
}
