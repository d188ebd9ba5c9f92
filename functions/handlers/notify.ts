// notify: every change of a job, a dataset version, a schedule or a registered LoRA goes to its owner's open WebSockets (app/push-changes.ts).
import { pushChanges } from '#app/push-changes';
import { streamConsumer } from '#events/stream-consumer';

export const handler = streamConsumer((changes) => pushChanges(changes));
