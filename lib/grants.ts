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
