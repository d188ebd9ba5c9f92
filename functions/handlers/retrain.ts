// retrain (invoked by EventBridge Scheduler, one schedule per Loraworks schedule): one firing of a schedule,
// recorded as a run (app/retrain.ts). It throws only on a transient failure, so Scheduler retries.
import { RetrainEvent, retrain } from '#app/retrain';
import { scheduled } from '#events/scheduled';

export const handler = scheduled(RetrainEvent, (event) => retrain(event));
