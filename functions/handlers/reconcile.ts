// reconcile (scheduled every few minutes in AWS, run once at local-cloud start): repairs jobs whose workflow is
// gone or silent too long, and validations whose validator died (app/reconcile.ts).
import { z } from 'zod';
import { reconcileAll } from '#app/reconcile';
import { scheduled } from '#events/scheduled';

/** A number the event gives, or the default (a schedule's own event fields are ignored). */
const secondsOr = (fallback: number) => z.number().catch(fallback);

export const ReconcileEvent = z.preprocess((value) => (typeof value === 'object' && value !== null ? value : {}), z.object({
  /** Jobs younger than this are left alone (their first StartExecution may be in flight). */
  startGraceSeconds: secondsOr(120),
  /** A VALIDATING version whose lease ran out longer ago than this is failed: S3's retries of its event are over. */
  validationGraceSeconds: secondsOr(1800),
}));

export const handler = scheduled(ReconcileEvent, (options) => reconcileAll(options));
