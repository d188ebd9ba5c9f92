// S3 → Lambda notifications as the template declares them (event type, prefix, suffix), delivered the way
// S3 invokes Lambda: asynchronously, retried twice on failure. Records come with their keys already encoded as
// S3 encodes them (the cloud re-encodes s3rver's raw keys with s3-event-keys.ts).
import type { LambdaRuntime } from './lambda-runtime';
import { decodeEventKey } from './s3-event-keys';
import type { Notification } from '#local/template';

const RETRY_DELAYS_MS = [1_000, 2_000];

/** The fields of an S3 event record that decide where it goes; the rest is passed on as it came. */
interface ObjectEventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string } };
}

/** `bucketOf` names the local bucket of a notification's bucket (its logical id in the template). */
export function s3Notifications(notifications: Notification[], runtime: LambdaRuntime, bucketOf: (logicalId: string) => string | undefined) {
  const routed = notifications.map((n) => ({ ...n, bucketName: bucketOf(n.bucket) }));
  const inFlight = new Set<Promise<void>>();
  const invoke = async (handler: string, event: unknown) => {
    for (let attempt = 0; ; attempt++) {
      const outcome = await runtime.invoke(handler, event);
      if (outcome.ok) return;
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        console.error(`[s3] ${handler} failed after retries: ${outcome.error.errorMessage}`);
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  };
  return {
    deliver(event: { Records: ObjectEventRecord[] }) {
      for (const record of event.Records) {
        if (!String(record.eventName).startsWith('ObjectCreated')) continue;
        // Records carry keys form-encoded (s3-event-keys.ts); S3 matches prefix and suffix filters on the key itself.
        const key = decodeEventKey(String(record.s3.object.key));
        if (key === null) {
          console.error(`[s3] an event record's key is not URL-encoded as S3 encodes keys: ${record.s3.object.key}`);
          continue;
        }
        for (const n of routed) {
          if (record.s3?.bucket?.name !== n.bucketName || !key.startsWith(n.prefix) || !key.endsWith(n.suffix)) continue;
          const delivery = invoke(n.handler, { Records: [{ ...record, eventName: `${record.eventName}` }] });
          inFlight.add(delivery);
          void delivery.finally(() => inFlight.delete(delivery));
        }
      }
    },
    /** Resolves once every delivery started so far (retries included) has finished. */
    async idle(): Promise<void> {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
