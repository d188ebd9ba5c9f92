// The local cloud enforces the stack's IAM: a function's key may do what its role allows and nothing more,
// answered as the service answers (AccessDeniedException), while the developer's key may do anything.
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '#local/cloud';
import { DEVELOPER_CREDENTIALS, principalCredentials, type LocalCredentials } from '#local/aws/local-credentials';
import { useTempDir } from '#support/temp-dir';

const dataDir = useTempDir('loraworks-iam-');
let cloud: LocalCloud;
let endpoints: { dynamodb: string; sfn: string; stateMachineArn: string };

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, dataDir: join(dataDir(), 'cloud') });
  endpoints = { dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB!, sfn: process.env.AWS_ENDPOINT_URL_SFN!, stateMachineArn: process.env.STATE_MACHINE_ARN! };
}, 120_000);
afterAll(() => cloud?.stop());

const dynamo = (credentials: LocalCredentials) => new DynamoDBClient({ endpoint: endpoints.dynamodb, region: 'us-east-1', credentials });
const item = { PK: { S: 'IAMTEST#1' }, SK: { S: 'IAMTEST' } };

describe('IAM in the local cloud', () => {
  it('refuses a table write to a function whose role grants none, and lets the developer write', async () => {
    const denied = dynamo(principalCredentials('list-trainers')).send(new PutItemCommand({ TableName: 'loraworks', Item: item }));
    await expect(denied).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(/^User: arn:aws:sts::000000000000:assumed-role\/ApiListTrainersRole\w+\/list-trainers is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/loraworks because no identity-based policy allows the dynamodb:PutItem action$/),
    });
    await dynamo(DEVELOPER_CREDENTIALS).send(new PutItemCommand({ TableName: 'loraworks', Item: item }));
    // A function that may read the table reads it; one key the local cloud never issued is not recognized.
    const read = await dynamo(principalCredentials('get-job')).send(new GetItemCommand({ TableName: 'loraworks', Key: item }));
    expect(read.Item).toEqual(item);
    await expect(dynamo({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' }).send(new GetItemCommand({ TableName: 'loraworks', Key: item })))
      .rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('lets only the roles that may start the workflow start it', async () => {
    const sfn = (credentials: LocalCredentials) => new SFNClient({ endpoint: endpoints.sfn, region: 'us-east-1', credentials });
    await expect(sfn(principalCredentials('list-jobs')).send(new StartExecutionCommand({ stateMachineArn: endpoints.stateMachineArn, name: 'iam-denied', input: '{}' })))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('is not authorized to perform: states:StartExecution on resource: arn:aws:states:us-east-1:000000000000:stateMachine:Training') });
    await expect(sfn(principalCredentials('create-job')).send(new DescribeExecutionCommand({ executionArn: `${endpoints.stateMachineArn.replace(':stateMachine:', ':execution:')}:none` })))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(sfn(DEVELOPER_CREDENTIALS).send(new DescribeExecutionCommand({ executionArn: `${endpoints.stateMachineArn.replace(':stateMachine:', ':execution:')}:none` })))
      .rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });
});
