import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { INCOMING_PREFIX } from '#domain/datasets';
import { UPLOAD_ACTIONS, UPLOAD_SESSION_SECONDS } from '#domain/upload-credentials';
import { grantObjects } from './grants';

export interface ToolingUploadRoleProps {
  /** The function of POST /upload-credentials: the only principal the role trusts. */
  readonly issuer: lambda.IFunction;
  /** The datasets bucket, whose `incoming/` prefix tooling writes. */
  readonly bucket: s3.IBucket;
}

/**
 * The role tooling's direct uploads run as: POST /upload-credentials assumes it with a session named after the
 * owner and a session policy that narrows `incoming/*` to `incoming/{owner}/*` (functions/domain/upload-credentials.ts).
 * Trusted by that function's role only, which may assume this role and no other; sessions last at most an hour.
 */
export class ToolingUploadRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ToolingUploadRoleProps) {
    super(scope, id);
    const issuerRole = props.issuer.role;
    if (!issuerRole) throw new Error('The upload-credentials function has no role to trust.');
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ArnPrincipal(issuerRole.roleArn),
      maxSessionDuration: Duration.seconds(UPLOAD_SESSION_SECONDS),
      description: 'Direct S3 uploads of tooling (POST /upload-credentials); each session is narrowed to its owner\'s incoming/ prefix',
    });
    grantObjects(this.role, props.bucket, INCOMING_PREFIX, [...UPLOAD_ACTIONS]);
    props.issuer.addToRolePolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [this.role.roleArn] }));
  }
}
