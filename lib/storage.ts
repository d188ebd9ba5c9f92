import { Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { acknowledge } from './nag';

export interface StorageProps {
  /** What happens to buckets, table and secret when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Days after which an unfinished multipart dataset upload is aborted. @default 7 */
  readonly abortIncompleteUploadsAfterDays?: number;
}

/** Where Loraworks keeps things: the buckets, the single table (docs/internals.md) and the trainer keys. */
export class Storage extends Construct {
  /** Receives S3 server access logs of the other buckets and CloudFront access logs. */
  readonly logs: s3.Bucket;
  /** Dataset uploads: datasets/{owner}/{datasetId}/v{version}/{fileName}. */
  readonly datasets: s3.Bucket;
  /** Trained LoRA files: loras/{owner}/{jobId}/{fileName}; imported ones: imports/{owner}/{adapterId}/{fileName}. */
  readonly artifacts: s3.Bucket;
  /** The static web app and /config.json, served through CloudFront only. */
  readonly web: s3.Bucket;
  /** The single table: PK/SK, GSI1 (GSI1PK/GSI1SK), TTL expiresAt, Streams NEW_AND_OLD_IMAGES. */
  readonly table: dynamodb.Table;
  /** Trainer API keys as JSON {FAL_KEY, REPLICATE_API_TOKEN}; set the values after the first deploy. */
  readonly trainerSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    // S3 server access logs are delivered through a bucket policy naming logging.s3.amazonaws.com (with the source
    // bucket and account as conditions), not the legacy LogDeliveryWrite canned ACL (cfn-lint W3045). Set here, not
    // only in cdk.json, so the template the tests and the local cloud synthesize is the one that deploys.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const secure = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      removalPolicy,
    } satisfies s3.BucketProps;

    this.logs = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    acknowledge(this.logs, 'AwsSolutions-S1', 'This is the access-log bucket; logging it into itself would loop.');

    this.datasets = new s3.Bucket(this, 'Datasets', {
      ...secure,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'datasets/',
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(props.abortIncompleteUploadsAfterDays ?? 7) }],
    });
    this.artifacts = new s3.Bucket(this, 'Artifacts', {
      ...secure,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    this.web = new s3.Bucket(this, 'Web', {
      ...secure,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'web/',
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'GSI1',
      partitionKey: { name: 'GSI1PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'GSI1SK', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.trainerSecret = new secretsmanager.Secret(this, 'TrainerSecret', {
      description: 'Loraworks trainer provider API keys (JSON: FAL_KEY, REPLICATE_API_TOKEN)',
      // Empty placeholders, never real keys: the operator puts the values in after deployment.
      secretObjectValue: {
        FAL_KEY: SecretValue.unsafePlainText(''),
        REPLICATE_API_TOKEN: SecretValue.unsafePlainText(''),
      },
      removalPolicy,
    });
    acknowledge(this.trainerSecret, 'AwsSolutions-SMG4',
      'Trainer keys are issued by fal.ai / Replicate; rotation means a new key from the provider, done by the operator.');
  }

  /** Lets a browser on `origin` post presigned dataset uploads directly to the datasets bucket. */
  allowBrowserUploadsFrom(...origins: string[]): void {
    this.datasets.addCorsRule({
      allowedMethods: [s3.HttpMethods.POST],
      allowedOrigins: origins,
      allowedHeaders: ['*'],
      exposedHeaders: ['ETag'],
      maxAge: 3000,
    });
    // Imported LoRAs are posted the same way, under imports/ of the artifacts bucket (POST /adapters/imports).
    this.artifacts.addCorsRule({
      allowedMethods: [s3.HttpMethods.POST],
      allowedOrigins: origins,
      allowedHeaders: ['*'],
      exposedHeaders: ['ETag'],
      maxAge: 3000,
    });
  }
}
