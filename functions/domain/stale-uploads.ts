// Dataset versions that will never leave UPLOADING by themselves: an upload whose file never arrived (its
// presigned form expired long ago: the upload was stopped or the page closed), or a version built from an edit
// whose derive stopped part-way (out of memory or time, or a local cloud stopped) after its retries were over.
// The reconciler ends them INVALID with a finding that says what to do (app/repair-stale-uploads.ts).
import type { VersionInternals } from './datasets';

/** What the rule reads of an UPLOADING version. */
export type UploadingVersion = { version: number; createdAt: string; derivedFrom?: number } & Pick<VersionInternals, 'objectETag' | 'deriveLeaseUntil' | 'derivedAt'>;

export interface StaleUploadLimits {
  /** An upload still without its file this long after the version was made has stopped (its form lasts an hour). */
  uploadGraceSeconds: number;
  /** A derive's claim that ran out this long ago belongs to a function that died with no retry to come. */
  deriveGraceSeconds: number;
}

export interface StaleUploadFinding {
  code: 'UPLOAD_NEVER_ARRIVED' | 'DERIVE_INTERRUPTED' | 'DERIVE_NEVER_STARTED';
  message: string;
}

export function staleUploadFinding(v: UploadingVersion, now: Date, limits: StaleUploadLimits): StaleUploadFinding | null {
  // The file is there (or the derive wrote it): the validator owns the version from here.
  if (v.objectETag !== undefined || v.derivedAt !== undefined) return null;
  const nowMs = now.getTime();
  if (v.derivedFrom !== undefined && v.deriveLeaseUntil !== undefined && v.deriveLeaseUntil > 0) {
    if (v.deriveLeaseUntil >= nowMs - limits.deriveGraceSeconds * 1000) return null;
    return {
      code: 'DERIVE_INTERRUPTED',
      message: `Building version ${v.version} from version ${v.derivedFrom} stopped before it finished (the function ran out of memory or time, or the local cloud was stopped) and no retry came. Open version ${v.derivedFrom} in the editor and save the edit again.`,
    };
  }
  if (Date.parse(v.createdAt) >= nowMs - limits.uploadGraceSeconds * 1000) return null;
  if (v.derivedFrom !== undefined) {
    return {
      code: 'DERIVE_NEVER_STARTED',
      message: `Version ${v.version} was never built from version ${v.derivedFrom}: the added files never arrived, or the build never started. Open version ${v.derivedFrom} in the editor and save the edit again.`,
    };
  }
  return {
    code: 'UPLOAD_NEVER_ARRIVED',
    message: `No file arrived for version ${v.version} while its upload link was valid (the upload was stopped or the page was closed). Upload the dataset again.`,
  };
}
