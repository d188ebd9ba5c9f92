// Tooling's direct S3 uploads, bound to their owner: POST /upload-credentials hands out an STS session of the
// tooling-upload role whose session policy reaches only `incoming/{owner}/…`, named after the owner; the validator
// attributes an `incoming/` object to the owner its key names only when S3 recorded that session as its writer.
// Pure rules: the session's name, its policy, and the attribution.
import { createHash } from 'node:crypto';
import { INCOMING_PREFIX } from './datasets';

/** How long upload credentials last (STS's default, and the role's maximum session). */
export const UPLOAD_SESSION_SECONDS = 3600;

/** The actions a direct upload needs: a put, and a multipart upload's parts and abort (CreateMultipartUpload and
 * CompleteMultipartUpload are s3:PutObject). */
export const UPLOAD_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] as const;

/** STS's RoleSessionName: 2 to 64 of `\w+=,.@-`. */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * The RoleSessionName of an owner's upload session: the owner itself where STS allows it, else `h-` and a hash of
 * it. Stable (one owner, one name) and unambiguous: an owner that itself starts with `h-` is hashed too, so a
 * name of the hash form comes only from hashing.
 */
export function uploadSessionName(owner: string): string {
  if (SESSION_NAME.test(owner) && !owner.startsWith('h-')) return owner;
  return `h-${createHash('sha256').update(owner, 'utf8').digest('hex').slice(0, 40)}`;
}

/** The key prefix an owner's tooling writes under: `incoming/<owner URI-encoded>/`. */
export const incomingPrefix = (owner: string): string => `${INCOMING_PREFIX}${encodeURIComponent(owner)}/`;

/** The inline session policy: only the upload actions, only under the owner's prefix of the bucket. */
export function uploadSessionPolicy(bucket: string, owner: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Sid: 'OwnIncomingPrefix',
      Effect: 'Allow',
      Action: [...UPLOAD_ACTIONS],
      Resource: `arn:aws:s3:::${bucket}/${incomingPrefix(owner)}*`,
    }],
  });
}

/** The principal id S3 records (userIdentity.principalId) for an object written with an owner's upload session. */
export const uploadPrincipalId = (roleId: string, owner: string): string => `AWS:${roleId}:${uploadSessionName(owner)}`;

export type Attribution = { attributed: true } | { attributed: false; reason: string };

/**
 * Whether an `incoming/` object may be filed under the owner its key names: only when its writer (the event's
 * userIdentity.principalId) is that owner's upload session of the tooling-upload role (`roleId`, its RoleId).
 */
export function attributeIncoming(keyOwner: string, writer: string | undefined, roleId: string | undefined): Attribution {
  if (!roleId) {
    return { attributed: false, reason: 'The validator does not know the tooling-upload role (UPLOAD_ROLE_ID is not set), so no direct upload can prove its owner.' };
  }
  if (writer === uploadPrincipalId(roleId, keyOwner)) return { attributed: true };
  return {
    attributed: false,
    reason: `The object was written by ${writer ?? 'an unknown principal'}, not by upload credentials of ${keyOwner}: only credentials from POST /upload-credentials may file objects under ${incomingPrefix(keyOwner)}. Get them with POST /upload-credentials and put the file again.`,
  };
}
