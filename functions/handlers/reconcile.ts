// reconcile (scheduled every few minutes in AWS, run once at local-cloud start): repairs jobs whose workflow is
// gone or silent too long, and validations whose validator died (app/reconcile.ts).
import { ReconcileEvent, reconcileAll } from '#app/reconcile';
import { scheduled } from '#events/scheduled';

export const handler = scheduled(ReconcileEvent, (options) => reconcileAll(options));
