// The largest dataset upload, shared by the stack (the presigned POST's policy and the validator), the API and
// the web app's file check.

/**
 * Bytes a dataset upload may have unless the stack is deployed with another limit. The web app checks files
 * against this default; the presigned POST's policy enforces the deployed one.
 */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

const UNITS = [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const;

/** A byte limit as people read it: 2 GiB → "2 GB" (binary units, as file managers show sizes). */
export function formatLimit(bytes: number): string {
  const [unit, size] = UNITS.find(([, size]) => bytes >= size) ?? ['bytes', 1];
  return `${Number((bytes / size).toFixed(1))} ${unit}`;
}
