import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PRINCIPAL_METADATA_KEY } from './handler-metadata';
import { acknowledge, arnInFinding } from './nag';

/** The local cloud's name for the signing user's principal. */
export const DATASET_LINK_SIGNER = 'dataset-link-signer';

export interface DatasetLinkSignerProps {
  /** The datasets bucket. */
  readonly bucket: s3.IBucket;
  /** The prefixes of the validated objects the trainer downloads. */
  readonly prefixes: readonly string[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The signer of the dataset links handed to a trainer. A presigned GET is valid only as long as the credentials
 * that signed it: a Lambda role's session can end long before the link's 6 hours, and a long queue at the trainer
 * then ends in a 403 on download. This user's access key is long-lived, may do nothing but s3:GetObject on the
 * validated objects, and is kept in a secret only the Submit step may read.
 */
export class DatasetLinkSigner extends Construct {
  readonly user: iam.User;
  /** JSON `{"accessKeyId": "...", "secretAccessKey": "..."}`. */
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DatasetLinkSignerProps) {
    super(scope, id);
    this.user = new iam.User(this, 'User');
    (this.user.node.defaultChild as iam.CfnUser).addMetadata(PRINCIPAL_METADATA_KEY, DATASET_LINK_SIGNER);
    const policy = new iam.Policy(this, 'Policy', {
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: props.prefixes.map((prefix) => props.bucket.arnForObjects(`${prefix}*`)) })],
    });
    this.user.attachInlinePolicy(policy);
    for (const prefix of props.prefixes) {
      acknowledge(policy, `AwsSolutions-IAM5[Resource::${arnInFinding(props.bucket)}/${prefix}*]`,
        `The signer reads any validated dataset object under ${prefix}; their keys are made per owner and version at run time.`);
    }
    const key = new iam.AccessKey(this, 'AccessKey', { user: this.user });
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Loraworks dataset link signer: the access key that presigns the trainer\'s dataset downloads (JSON: accessKeyId, secretAccessKey)',
      secretObjectValue: { accessKeyId: SecretValue.unsafePlainText(key.accessKeyId), secretAccessKey: key.secretAccessKey },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledge(this.secret, 'AwsSolutions-SMG4',
      'The key is an IAM user access key; rotate it by replacing the AccessKey resource (a new deploy), which rewrites the secret.');
  }
}
