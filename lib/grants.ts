import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledge, arnInFinding } from './nag';

/**
 * Grants exactly `actions` on the objects under `prefix` of a bucket. The L2 bucket grants add wildcard
 * actions (s3:GetObject*, s3:List*, s3:Abort*) that presigned URLs and streaming copies do not need.
 */
export function grantObjects(grantee: iam.IGrantable, bucket: s3.IBucket, prefix: string, actions: string[]): iam.Grant {
  const grant = iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [bucket.arnForObjects(`${prefix}*`)] });
  const role = grantee.grantPrincipal;
  if (role instanceof iam.Role) {
    acknowledge(role, `AwsSolutions-IAM5[Resource::${arnInFinding(bucket)}/${prefix}*]`,
      `Object keys under ${prefix} are generated per owner and upload/job at run time; the grant is limited to that prefix.`);
  }
  return grant;
}

/**
 * s3:ListBucket on the bucket itself. Without it S3 answers a GET or HEAD of a missing key 403 AccessDenied
 * instead of 404 NoSuchKey, so a reader that treats "not there" as an answer (an absent sidecar, a removed
 * upload) fails instead. Not narrowed with an s3:prefix condition: the 404-or-403 check of a GetObject or
 * HeadObject carries no s3:prefix, so such a condition would never match and the 403 would stay.
 */
export function grantListBucket(grantee: iam.IGrantable, bucket: s3.IBucket): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [bucket.bucketArn] });
}

/**
 * What an authorizer needs of the table to check an API token: GetItem of the token's item and the conditional
 * UpdateItem that records its last use, on the table only (never its indexes), nothing more.
 */
export function grantTokenLookup(grantee: iam.IGrantable, table: dynamodb.ITable): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resourceArns: [table.tableArn] });
}
