import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { IMPORTS_PREFIX } from '#domain/lora-import';
import { grantObjects } from './grants';
import { handlerFunction } from './handler-function';
import { acknowledgeTableIndexes } from './nag';

export interface ImportsProps {
  /** The single table (the imports' adapters). */
  readonly table: dynamodb.ITable;
  /** The artifacts bucket, where POST /adapters/imports has files posted under `imports/`. */
  readonly artifacts: s3.Bucket;
}

/**
 * Imported LoRAs: every object created under `imports/` of the artifacts bucket runs `check-adapter-import`, which
 * reads the file (ranged GETs of its header, one streaming GET to hash it) and updates its adapter, nothing else.
 */
export class Imports extends Construct {
  readonly checker: lambda.IFunction;

  constructor(scope: Construct, id: string, props: ImportsProps) {
    super(scope, id);
    const { table, artifacts } = props;
    this.checker = handlerFunction(this, 'check-adapter-import', {
      environment: { TABLE_NAME: table.tableName, ARTIFACTS_BUCKET: artifacts.bucketName },
      // Hashing a LoRA of up to 2 GiB by streaming: memory stays at the stream's buffers, time at the bandwidth.
      memorySize: 512,
      timeout: Duration.minutes(3),
    });
    table.grantReadWriteData(this.checker);
    acknowledgeTableIndexes(this, table);
    grantObjects(this.checker, artifacts, IMPORTS_PREFIX, ['s3:GetObject']);
    artifacts.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.checker), { prefix: IMPORTS_PREFIX });
  }
}
