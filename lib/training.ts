import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { VALIDATED_PREFIX } from '#domain/datasets';
import { DatasetLinkSigner } from './dataset-link-signer';
import { dropRoleDependsOn } from './depends-on';
import { handlerFunction, type HandlerName } from './handler-function';
import { grantObjects } from './grants';
import { trainerEnv } from './trainer-env';
import { acknowledge, acknowledgeTableIndexes, arnInFinding, envInFinding, logicalIdOf } from './nag';

/** Errors a task retries: the trainer's transient failures and Lambda's own service errors. */
export const RETRYABLE_ERRORS = [
  'TrainerUnavailable',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

export interface TrainingProps {
  /** Table holding job records. */
  readonly table: dynamodb.ITable;
  /** Bucket the trained LoRA files are copied into. */
  readonly artifacts: s3.IBucket;
  /** Bucket the trainer downloads the dataset from (presigned GET). */
  readonly datasets: s3.IBucket;
  /** Trainer API keys. */
  readonly trainerSecret: secretsmanager.ISecret;
  /** `owner/name` of the Replicate model trainings write to. @default - none: Replicate's trainers are left out of the catalog */
  readonly replicateDestination?: string;
  /**
   * Upper bound for one training, counted from the job's creation: Poll then routes to MarkFailed, which
   * cancels the remote job. The execution's own timeout is this plus an hour, a backstop the reconciler
   * repairs (a timed-out execution runs no Catch). @default Duration.hours(12)
   */
  readonly maxDuration?: Duration;
  /** Polls after which the job fails as over budget (guards the 25,000-event history). @default 2000 */
  readonly maxPolls?: number;
  /** Shortest wait between polls, seconds. @default 5 */
  readonly pollMinSeconds?: number;
  /** Longest wait between polls, seconds (mid-run, when the ETA is far). @default 120 */
  readonly pollMaxSeconds?: number;
  /** Attempts of a task on a retryable error. @default 6 */
  readonly retryAttempts?: number;
  /** How long execution logs are kept. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** How often the reconciler looks for jobs whose workflow is gone or silent. @default Duration.minutes(5) */
  readonly reconcileEvery?: Duration;
  /** A running workflow that has not touched its job for this long is replaced. @default Duration.hours(2) */
  readonly silentAfter?: Duration;
}

/**
 * The Training workflow of docs/internals.md (Standard, JSONPath, Lambda tasks with payloadResponseOnly):
 * the state { jobId, owner, phase, polls, waitSeconds, error? } flows through, and each task returns the next one.
 */
export class Training extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** Function of each training task. */
  readonly functions: Record<'submit' | 'poll' | 'collect' | 'cancelRemote' | 'markFailed', lambda.IFunction>;
  /** Resumes or fails jobs whose workflow is gone, on a schedule. */
  readonly reconciler: lambda.IFunction;
  /** The user whose key presigns the trainer's dataset links, and the secret holding that key. */
  readonly linkSigner: DatasetLinkSigner;

  constructor(scope: Construct, id: string, props: TrainingProps) {
    super(scope, id);
    const { table, artifacts, datasets, trainerSecret } = props;
    const maxPolls = props.maxPolls ?? 2000;
    const maxDuration = props.maxDuration ?? Duration.hours(12);
    const environment = {
      TABLE_NAME: table.tableName,
      DATASETS_BUCKET: datasets.bucketName,
      ARTIFACTS_BUCKET: artifacts.bucketName,
      ...trainerEnv(trainerSecret, props.replicateDestination),
      POLL_MIN_SECONDS: String(props.pollMinSeconds ?? 5),
      POLL_MAX_SECONDS: String(props.pollMaxSeconds ?? 120),
      MAX_POLLS: String(maxPolls),
      MAX_DURATION_SECONDS: String(maxDuration.toSeconds()),
    };
    const task = (name: HandlerName, timeout = Duration.seconds(60), memorySize = 256) => {
      const fn = handlerFunction(this, name, { environment, timeout, memorySize });
      table.grantReadWriteData(fn);
      trainerSecret.grantRead(fn);
      return fn;
    };
    const submit = task('training-submit');
    // The trainer's dataset link is presigned with the signer's long-lived key, not with Submit's own session
    // (which can expire before the link's 6 hours): the copy under validated/, or datasets/ for a version
    // validated before such copies were made.
    this.linkSigner = new DatasetLinkSigner(this, 'DatasetLinkSigner', { bucket: datasets, prefixes: [VALIDATED_PREFIX, 'datasets/'], removalPolicy: RemovalPolicy.DESTROY });
    submit.addEnvironment('DATASET_LINK_SIGNER_SECRET_ARN', this.linkSigner.secret.secretArn);
    this.linkSigner.secret.grantRead(submit);
    // HEAD: the object is still the one validated.
    grantObjects(submit, datasets, VALIDATED_PREFIX, ['s3:GetObject']);
    grantObjects(submit, datasets, 'datasets/', ['s3:GetObject']);
    const poll = task('training-poll');
    // Streams the LoRA in (multipart) and reads its header back to check the safetensors format.
    const collect = task('training-collect', Duration.minutes(15), 1024);
    grantObjects(collect, artifacts, 'loras/', ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:DeleteObject']);
    const cancelRemote = task('training-cancel-remote');
    const markFailed = task('training-mark-failed');
    this.functions = { submit, poll, collect, cancelRemote, markFailed };

    const invoke = (stateId: string, fn: lambda.IFunction, comment: string) => {
      const t = new tasks.LambdaInvoke(this, stateId, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false, // the one Retry below covers Lambda's errors too
        comment,
      });
      t.addRetry({
        errors: RETRYABLE_ERRORS,
        interval: Duration.seconds(2),
        maxAttempts: props.retryAttempts ?? 6,
        backoffRate: 2,
        maxDelay: Duration.seconds(60),
        jitterStrategy: sfn.JitterType.FULL,
      });
      return t;
    };

    const markFailedTask = invoke('MarkFailed', markFailed, 'Record FAILED with the error kept in $.error.');
    const failed = new sfn.Fail(this, 'Failed', { error: 'TrainingFailed', cause: 'The job is FAILED; its record says why.' });
    markFailedTask.next(failed);
    const withCatch = (t: tasks.LambdaInvoke) => t.addCatch(markFailedTask, { errors: ['States.ALL'], resultPath: '$.error' });

    const done = new sfn.Succeed(this, 'Done');
    const submitTask = withCatch(invoke('Submit', submit, 'Submit to the trainer, or resume a job that already has `remote`.'));
    const pollTask = withCatch(invoke('Poll', poll, 'Read trainer status and progress; sets phase, polls and waitSeconds.'));
    const collectTask = withCatch(invoke('Collect', collect, 'Copy the LoRA into the artifacts bucket and complete the job.'));
    const cancelRemoteTask = withCatch(invoke('CancelRemote', cancelRemote, 'Ask the trainer to cancel.'));

    const waitForTrainer = new sfn.Wait(this, 'WaitForTrainer', { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
    const waitForCancel = new sfn.Wait(this, 'WaitForCancel', { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
    const overBudget = new sfn.Pass(this, 'OverBudget', {
      result: sfn.Result.fromObject({
        Error: 'PollBudgetExceeded',
        Cause: `The trainer did not finish within ${maxPolls} status checks.`,
      }),
      resultPath: '$.error',
    });
    const phase = (value: string) => sfn.Condition.stringEquals('$.phase', value);

    const afterCancel = new sfn.Choice(this, 'AfterCancel')
      .when(phase('completed'), collectTask)
      .when(phase('cancelling'), waitForCancel.next(cancelRemoteTask))
      .otherwise(done);
    cancelRemoteTask.next(afterCancel);
    collectTask.next(done);
    overBudget.next(markFailedTask);

    const route = new sfn.Choice(this, 'Route')
      .when(phase('completed'), collectTask)
      .when(phase('cancel'), cancelRemoteTask)
      .when(phase('failed'), markFailedTask)
      .when(sfn.Condition.numberGreaterThanEquals('$.polls', maxPolls), overBudget)
      .otherwise(waitForTrainer);
    waitForTrainer.next(pollTask).next(route);

    const afterSubmit = new sfn.Choice(this, 'AfterSubmit')
      .when(phase('done'), done)
      .otherwise(waitForTrainer);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Loraworks training: submit, poll with a data-driven interval, collect or cancel, mark failures.',
      definitionBody: sfn.DefinitionBody.fromChainable(submitTask.next(afterSubmit)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: maxDuration.plus(Duration.hours(1)),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    dropRoleDependsOn(this.stateMachine, this.stateMachine.role);
    // The reconciler: reads and repairs job records, describes executions by name and starts or stops them.
    const reconciler = handlerFunction(this, 'reconcile', {
      environment: {
        TABLE_NAME: table.tableName,
        STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
        ...trainerEnv(trainerSecret, props.replicateDestination),
        MAX_DURATION_SECONDS: environment.MAX_DURATION_SECONDS,
        RECONCILE_SILENT_SECONDS: String((props.silentAfter ?? Duration.hours(2)).toSeconds()),
      },
      timeout: Duration.minutes(5),
    });
    table.grantReadWriteData(reconciler);
    trainerSecret.grantRead(reconciler); // best-effort cancel at the trainer when it fails a job
    this.stateMachine.grantStartExecution(reconciler);
    this.stateMachine.grantExecution(reconciler, 'states:DescribeExecution', 'states:StopExecution');
    new events.Rule(this, 'ReconcileSchedule', {
      description: 'Reconcile: resume or fail training jobs whose workflow is gone or silent.',
      schedule: events.Schedule.rate(props.reconcileEvery ?? Duration.minutes(5)),
      targets: [new targets.LambdaFunction(reconciler, { retryAttempts: 2 })],
    });
    this.reconciler = reconciler;
    const { region, account } = envInFinding(this);
    const machineName = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalIdOf(this.stateMachine)}"}]}]}`;
    acknowledge(reconciler.role!, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${machineName}:*]`,
      'The reconciler describes and stops executions of this state machine by name; execution names are only known at run time.');

    for (const fn of Object.values(this.functions)) {
      acknowledge(this.stateMachine, `AwsSolutions-IAM5[Resource::${arnInFinding(fn)}:*]`,
        'LambdaInvoke grants the task function and its versions/aliases (arn:*); only the five training functions are listed.');
    }
    acknowledge(this.stateMachine, 'AwsSolutions-IAM5[Resource::*]',
      'X-Ray trace writes and CloudWatch Logs delivery management (logs:*LogDelivery*) have no resource-level permissions.');
    acknowledgeTableIndexes(this, table);
  }
}
