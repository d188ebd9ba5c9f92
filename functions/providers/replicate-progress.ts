// What a Replicate training body says about its progress: the last progress bar in its logs.
import { parseLogs, progressFromReading } from '#domain/progress';
import type { Progress } from '#domain/schemas';

export interface ReplicateTrainingBody {
  status: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted' | string;
  /** One string, the whole log so far; tqdm bars may redraw with \r instead of \n. */
  logs?: string | null;
  started_at?: string | null;
}

/** Progress of one Replicate training poll, from the last progress bar in its logs: the flux trainer's
 * `flux_train_replicate:  45%|████▌     | 450/1000 [00:10<00:12, 45.00it/s, lr: 4.0e-04 loss: 3.1e-01]`. */
export function progressFromReplicateTraining(body: ReplicateTrainingBody): Progress {
  if (body.status === 'starting') return { fraction: 0, message: 'Starting the trainer\'s machine.' };
  const reading = body.logs ? parseLogs([{ message: body.logs }]) : undefined;
  return progressFromReading(reading, { running: body.status === 'processing', eta: body.status === 'processing' });
}
