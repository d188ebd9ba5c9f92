// The stored side of versions made from edits: the edit request as an S3 object (it can be megabytes), the
// derive claim on the version item (so duplicate events derive once), and its failure.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { StoredEdit } from '#domain/dataset-edits';
import type { ValidationReport } from '#domain/schemas';
import { s3 } from './blob-store';
import { readSmallText } from './dataset-objects';
import { versionKey } from './dataset-store';
import { conditionalUpdate } from './table';

/** An edit request is at most 10,000 captions of 10,000 characters (UTF-8) and 10,000 names, with room. */
const MAX_EDIT_BYTES = 512 * 1024 * 1024;

export async function putEdit(bucket: string, key: string, edit: StoredEdit): Promise<void> {
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(edit), ContentType: 'application/json' }));
}

/** The stored edit request, or null when there is none at `key`. */
export async function readEdit(bucket: string, key: string): Promise<StoredEdit | null> {
  const text = await readSmallText(bucket, key, MAX_EDIT_BYTES);
  if (text === null || text === 'too-large') return null;
  return JSON.parse(text) as StoredEdit;
}

/**
 * Claims the derive of an UPLOADING version made from an edit: false when it was derived already, or another
 * invocation holds a live claim (a crashed one's claim runs out after `leaseMs`).
 */
export async function claimDerive(owner: string, datasetId: string, version: number, at: Date, leaseMs: number): Promise<boolean> {
  const written = await conditionalUpdate({
    Key: versionKey(owner, datasetId, version),
    UpdateExpression: 'SET deriveLeaseUntil = :lease',
    ConditionExpression: 'attribute_exists(PK) AND #status = :uploading AND attribute_exists(derivedFrom) AND attribute_not_exists(derivedAt) AND (attribute_not_exists(deriveLeaseUntil) OR deriveLeaseUntil < :now)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':lease': at.getTime() + leaseMs, ':now': at.getTime(), ':uploading': 'UPLOADING' },
  });
  return written !== null;
}

/** The zip is written at the version's upload key: from here on the validator owns the version. */
export async function markDerived(owner: string, datasetId: string, version: number, at: Date): Promise<void> {
  await conditionalUpdate({
    Key: versionKey(owner, datasetId, version),
    UpdateExpression: 'SET derivedAt = :at REMOVE deriveLeaseUntil',
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeValues: { ':at': at.toISOString() },
  });
}

/** UPLOADING → INVALID with the report saying why the version could not be built. */
export async function failDerive(owner: string, datasetId: string, version: number, report: ValidationReport, at: Date): Promise<boolean> {
  const written = await conditionalUpdate({
    Key: versionKey(owner, datasetId, version),
    UpdateExpression: 'SET #status = :invalid, report = :report, updatedAt = :at, derivedAt = :at REMOVE deriveLeaseUntil',
    ConditionExpression: '#status = :uploading',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':invalid': 'INVALID', ':uploading': 'UPLOADING', ':report': report, ':at': at.toISOString() },
  });
  return written !== null;
}

/** Lets a retry claim the derive at once (after a transient failure), instead of waiting out the claim. */
export async function releaseDerive(owner: string, datasetId: string, version: number): Promise<void> {
  await conditionalUpdate({
    Key: versionKey(owner, datasetId, version),
    UpdateExpression: 'SET deriveLeaseUntil = :zero',
    ConditionExpression: 'attribute_exists(deriveLeaseUntil) AND attribute_not_exists(derivedAt)',
    ExpressionAttributeValues: { ':zero': 0 },
  });
}
