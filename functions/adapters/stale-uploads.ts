// The UPLOADING versions the reconciler looks at, and the write that ends a stale one INVALID only if it is still
// as the reconciler saw it (no file arrived, no derive claimed it since).
import type { UploadingVersion } from '#domain/stale-uploads';
import type { ValidationReport } from '#domain/schemas';
import { versionKey } from './dataset-store';
import { allItems, conditionalUpdate, tableName } from './table';

export type StoredUploadingVersion = UploadingVersion & { owner: string; datasetId: string };

export async function listUploadingVersions(): Promise<StoredUploadingVersion[]> {
  const items = await allItems('scan', {
    TableName: tableName(),
    FilterExpression: '#type = :version AND #status = :uploading',
    ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
    ExpressionAttributeValues: { ':version': 'DatasetVersion', ':uploading': 'UPLOADING' },
    ConsistentRead: true,
  });
  return items.map((item) => ({
    owner: String(item.owner), datasetId: String(item.datasetId), version: Number(item.version), createdAt: String(item.createdAt),
    ...(item.derivedFrom !== undefined ? { derivedFrom: Number(item.derivedFrom) } : {}),
    ...(item.deriveLeaseUntil !== undefined ? { deriveLeaseUntil: Number(item.deriveLeaseUntil) } : {}),
    ...(item.derivedAt !== undefined ? { derivedAt: String(item.derivedAt) } : {}),
    ...(item.objectETag !== undefined ? { objectETag: String(item.objectETag) } : {}),
  }));
}

/** UPLOADING → INVALID with the report, unless a file arrived or the derive's claim changed since it was read. */
export async function failStaleUpload(v: StoredUploadingVersion, report: ValidationReport, at: Date): Promise<boolean> {
  const lease = v.deriveLeaseUntil === undefined ? 'attribute_not_exists(deriveLeaseUntil)' : 'deriveLeaseUntil = :lease';
  const written = await conditionalUpdate({
    Key: versionKey(v.owner, v.datasetId, v.version),
    UpdateExpression: 'SET #status = :invalid, report = :report, updatedAt = :at',
    ConditionExpression: `#status = :uploading AND attribute_not_exists(objectETag) AND attribute_not_exists(derivedAt) AND ${lease}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':invalid': 'INVALID', ':uploading': 'UPLOADING', ':report': report, ':at': at.toISOString(),
      ...(v.deriveLeaseUntil === undefined ? {} : { ':lease': v.deriveLeaseUntil }),
    },
  });
  return written !== null;
}
