import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { handlerFunction } from './handler-function';
import { acknowledge, acknowledgeTableIndexes, envInFinding } from './nag';
import { trainerEnv } from './trainer-env';

/** Name of the stack's EventBridge Scheduler schedule group: every Loraworks schedule is `lw-<scheduleId>` in it. */
export const SCHEDULE_GROUP_NAME = 'loraworks';

export interface SchedulesProps {
  /** The single table (schedules, their runs, the jobs they start). */
  readonly table: dynamodb.ITable;
  /** The Training workflow, started by a firing that trains. */
  readonly stateMachine: sfn.IStateMachine;
  /** Trainer keys (a firing starts a job through the same checks as POST /jobs). */
  readonly trainerSecret: secretsmanager.ISecret;
  /** `owner/name` of the Replicate model trainings write to. @default - none: Replicate's trainers are left out of the catalog */
  readonly replicateDestination?: string;
  /** How long a dead-letter event stays in the queue. @default Duration.days(14), SQS's longest */
  readonly deadLetterRetention?: Duration;
}

/**
 * Automated retraining on EventBridge Scheduler (docs/internals.md, "Schedules"): the schedule group the API's
 * schedule functions create one Scheduler schedule in per Loraworks schedule, the `retrain` function each firing
 * invokes, the role Scheduler assumes to invoke it (that function only) and the dead-letter queue a firing goes to
 * once its retries are spent.
 */
export class Schedules extends Construct {
  readonly group: scheduler.ScheduleGroup;
  /** The target of every schedule. */
  readonly retrain: lambda.Function;
  /** The execution role of every schedule: Scheduler assumes it to invoke `retrain` and to dead-letter a firing. */
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  /** ARN pattern of the group's schedules (`arn:…:scheduler:…:schedule/loraworks/*`). */
  readonly scheduleArns: string;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const { table, stateMachine, trainerSecret } = props;
    const stack = Stack.of(this);
    this.group = new scheduler.ScheduleGroup(this, 'Group', { scheduleGroupName: SCHEDULE_GROUP_NAME, removalPolicy: RemovalPolicy.DESTROY });
    this.scheduleArns = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${SCHEDULE_GROUP_NAME}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });

    // What POST /jobs does, for a firing: the same use case, so the same grants as create-job.
    this.retrain = handlerFunction(this, 'retrain', {
      environment: { TABLE_NAME: table.tableName, ...trainerEnv(trainerSecret, props.replicateDestination), STATE_MACHINE_ARN: stateMachine.stateMachineArn },
      timeout: Duration.seconds(60),
    });
    table.grantReadWriteData(this.retrain);
    stateMachine.grantStartExecution(this.retrain);
    trainerSecret.grantRead(this.retrain);
    acknowledgeTableIndexes(this, table);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the schedules\' target; a dead-letter queue of a dead-letter queue would hold nothing.');

    // Scheduler assumes the role for this account's schedules of this group only (confused-deputy guard: the
    // Scheduler User Guide names the schedule group's ARN as the aws:SourceArn of its AssumeRole).
    this.role = new iam.Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler for the loraworks group\'s schedules: invokes retrain, dead-letters a firing',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
    });
    // Exactly the function's unqualified ARN (the one every schedule targets): no version or alias.
    iam.Grant.addToPrincipal({ grantee: this.role, actions: ['lambda:InvokeFunction'], resourceArns: [this.retrain.functionArn] });
    // Scheduler sends a dead-letter event with the schedule's execution role (User Guide, "Configuring a dead-letter queue").
    iam.Grant.addToPrincipal({ grantee: this.role, actions: ['sqs:SendMessage'], resourceArns: [this.deadLetterQueue.queueArn] });
  }

  /** What every API function for schedules reads (docs/internals.md, "Configuration"). */
  get environment(): Record<string, string> {
    return {
      // A Ref (not the literal name): the functions are deployed after the group they create schedules in.
      SCHEDULE_GROUP: (this.group.node.defaultChild as scheduler.CfnScheduleGroup).ref,
      RETRAIN_FUNCTION_ARN: this.retrain.functionArn,
      SCHEDULER_ROLE_ARN: this.role.roleArn,
      SCHEDULE_DLQ_ARN: this.deadLetterQueue.queueArn,
    };
  }

  /** Create, update, delete and read the group's schedules (and nothing else of Scheduler), passing this role only. */
  grantManageSchedules(fn: lambda.IFunction): void {
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
      resourceArns: [this.scheduleArns],
    });
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['iam:PassRole'], resourceArns: [this.role.roleArn] });
    const role = fn.role;
    if (role) {
      const { region, account } = envInFinding(this);
      acknowledge(role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:${region}:${account}:schedule/${SCHEDULE_GROUP_NAME}/*]`,
        `Scheduler schedules are named lw-<scheduleId> at run time; the grant is limited to the ${SCHEDULE_GROUP_NAME} group's schedules.`);
    }
  }
}
