// The table the unit tests that need a real DynamoDB (dynalite) create: the stack's key schema and GSI1, named TABLE_NAME.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export async function createTestTable(endpoint: string): Promise<void> {
  await new DynamoDBClient({ endpoint, region: 'us-east-1' }).send(new CreateTableCommand({
    TableName: process.env.TABLE_NAME, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
    AttributeDefinitions: ['PK', 'SK', 'GSI1PK', 'GSI1SK'].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    GlobalSecondaryIndexes: [{
      IndexName: 'GSI1',
      KeySchema: [{ AttributeName: 'GSI1PK', KeyType: 'HASH' }, { AttributeName: 'GSI1SK', KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'ALL' },
    }],
  }));
}
