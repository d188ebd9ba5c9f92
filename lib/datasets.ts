import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ADDITIONS_PREFIX, EDITS_PREFIX } from '#domain/dataset-edits';
import { VALIDATED_PREFIX } from '#domain/datasets';
import { MAX_UPLOAD_BYTES } from '#domain/upload-limit';
import { MANIFEST_PREFIX } from '#domain/dataset-manifest';
import { grantListBucket, grantObjects } from './grants';
import { handlerFunction } from './handler-function';
import { acknowledge, acknowledgeTableIndexes } from './nag';
import { trainerEnv } from './trainer-env';

/** Presigned uploads land under `datasets/`, tooling's direct uploads under `incoming/` (see docs/internals.md). */
export const DATASET_PREFIXES = ['datasets/', 'incoming/'] as const;

/**
 * The validator's Node options. Every 64 KiB socket read of the archive is a fresh ArrayBuffer; with V8's
 * default young generation (grown to 16 MB by start-up) they outlive it and pile up as external memory until
 * full mark-compacts free them: ~75 of them per GiB, about a quarter of the wall time. A 1 MB semi-space
 * frees them in cheap scavenges instead (`npm run bench -- dataset` runs with these options).
 */
export const VALIDATOR_NODE_OPTIONS = '--enable-source-maps --max-semi-space-size=1';

export interface DatasetsProps {
  /** The single table (dataset versions). */
  readonly table: dynamodb.ITable;
  /** Bucket whose `datasets/` uploads are validated. */
  readonly bucket: s3.Bucket;
  /** Trainer keys, for checking which trainers a dataset fits. */
  readonly trainerSecret: secretsmanager.ISecret;
  /** `owner/name` of the Replicate model trainings write to. @default - none: Replicate's trainers are left out of the catalog */
  readonly replicateDestination?: string;
  /** Training workflow, for uploads that ask to start a job when valid (S3 auto-start). */
  readonly stateMachine: sfn.IStateMachine;
  /** Largest accepted upload, bytes. @default 2 GiB */
  readonly maxUploadBytes?: number;
  /** Memory of the validator, which reads the zip as a stream. @default 1024 */
  readonly memorySize?: number;
  /** @default Duration.minutes(5) */
  readonly timeout?: Duration;
}

/**
 * Dataset validation: every object created under `datasets/` (presigned uploads) or `incoming/` (tooling's
 * direct uploads and their `.train.json` sidecars) runs `validate-dataset`.
 */
export class Datasets extends Construct {
  readonly validator: lambda.IFunction;
  /** Builds versions made from edits (POST /datasets/{id}/versions) by streaming; the validator then takes them. */
  readonly deriver: lambda.IFunction;
  private readonly fn: lambda.Function;

  constructor(scope: Construct, id: string, props: DatasetsProps) {
    super(scope, id);
    const { table, bucket, trainerSecret, stateMachine } = props;
    this.validator = this.fn = handlerFunction(this, 'validate-dataset', {
      environment: {
        NODE_OPTIONS: VALIDATOR_NODE_OPTIONS,
        TABLE_NAME: table.tableName,
        DATASETS_BUCKET: bucket.bucketName,
        STATE_MACHINE_ARN: stateMachine.stateMachineArn,
        ...trainerEnv(trainerSecret, props.replicateDestination),
        MAX_UPLOAD_BYTES: String(props.maxUploadBytes ?? MAX_UPLOAD_BYTES),
      },
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(5),
    });
    table.grantReadWriteData(this.validator);
    grantObjects(this.validator, bucket, 'incoming/', ['s3:GetObject']);
    grantObjects(this.validator, bucket, 'datasets/', ['s3:GetObject']);
    // A READY version's bytes are copied (server-side: GetObject on the source, PutObject here) to validated/,
    // which no upload policy names and nothing else may write.
    grantObjects(this.validator, bucket, VALIDATED_PREFIX, ['s3:PutObject']);
    // Each decided version's manifest (its files, read in the same pass), served by GET …/versions/{v}/files.
    grantObjects(this.validator, bucket, MANIFEST_PREFIX, ['s3:PutObject']);
    // A direct upload without a .train.json sidecar, and the HEAD of an object removed since its event, must read as
    // "not there" (404), which S3 answers only to a caller that may list the bucket.
    grantListBucket(this.validator, bucket);
    acknowledgeTableIndexes(this, table);
    trainerSecret.grantRead(this.validator);
    stateMachine.grantStartExecution(this.validator);
    for (const prefix of DATASET_PREFIXES) bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.validator), { prefix });

    // Versions made from edits: the edit request (edits/) and its additions zip (additions/) start the derive,
    // which reads the source's validated copy and the additions by ranged GETs and writes the new zip by S3
    // multipart at the version's upload key under datasets/, where the validator takes it.
    this.deriver = handlerFunction(this, 'derive-dataset-version', {
      environment: { NODE_OPTIONS: VALIDATOR_NODE_OPTIONS, TABLE_NAME: table.tableName, DATASETS_BUCKET: bucket.bucketName },
      memorySize: props.memorySize ?? 1024,
      timeout: Duration.minutes(15),
    });
    table.grantReadWriteData(this.deriver);
    for (const prefix of [EDITS_PREFIX, ADDITIONS_PREFIX, VALIDATED_PREFIX]) grantObjects(this.deriver, bucket, prefix, ['s3:GetObject']);
    grantObjects(this.deriver, bucket, 'datasets/', ['s3:PutObject', 's3:AbortMultipartUpload']);
    // An edit waiting for its additions HEADs a key not there yet: 404, not 403.
    grantListBucket(this.deriver, bucket);
    for (const prefix of [EDITS_PREFIX, ADDITIONS_PREFIX]) bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.deriver), { prefix });
    for (const child of Stack.of(this).node.children) {
      if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
      acknowledge(child, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'CDK\'s bucket-notifications provider function (aws-cdk-lib creates its role); the policy only lets it write its logs.');
      acknowledge(child, 'AwsSolutions-IAM5[Resource::*]',
        'CDK\'s bucket-notifications provider function needs s3:PutBucketNotification on buckets named only at deploy time.');
    }
  }

  /**
   * Direct uploads are filed under the owner their key names only when S3 recorded that owner's session of this
   * role as the writer (`AWS:<RoleId>:<session>`); the validator learns the role's id.
   */
  trustUploadsOf(role: iam.Role): void {
    this.fn.addEnvironment('UPLOAD_ROLE_ID', role.roleId);
  }
}
