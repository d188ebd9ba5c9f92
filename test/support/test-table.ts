// The table the unit tests that need a real DynamoDB (dynalite) create: the stack's key schema, named TABLE_NAME.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export async function createTestTable(endpoint: string): Promise<void> {
  await new DynamoDBClient({ endpoint, region: 'us-east-1' }).send(new CreateTableCommand({
    TableName: process.env.TABLE_NAME, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }, { AttributeName: 'SK', AttributeType: 'S' }],
  }));
}
