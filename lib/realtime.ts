import { CfnResource, Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accessLogSettings } from './access-log';
import { grantTokenLookup } from './grants';
import { handlerFunction } from './handler-function';
import { HANDLER_METADATA_KEY } from './handler-metadata';
import { acknowledge, acknowledgeTableIndexes, envInFinding, logicalIdOf } from './nag';

export interface RealtimeProps {
  /** The single table; its stream feeds `notify`, and connections are stored in it. */
  readonly table: dynamodb.ITable;
  /** Issuer of the JWTs `$connect` accepts (query string `token`, which may also be an API token). */
  readonly jwtIssuer: string;
  /** Accepted `aud` of those JWTs. */
  readonly jwtAudience: string;
  /** Stage name; part of the WebSocket URL and of WS_MANAGEMENT_URL. @default 'prod' */
  readonly stageName?: string;
  /** Stream records handed to `notify` at once. @default 50 */
  readonly batchSize?: number;
  /** Retries of a failing stream batch before it is skipped (the push is a convenience; DynamoDB is the truth). @default 3 */
  readonly retryAttempts?: number;
  /**
   * Set the region's API Gateway CloudWatch role, which WebSocket access logging needs. Turn off when the
   * account already manages it elsewhere. @default true
   */
  readonly configureApiGatewayLogsRole?: boolean;
  /** How long access logs are kept. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/** Live updates: the WebSocket API ($connect authorised by the same JWT) and `notify` fed by the table stream. */
export class Realtime extends Construct {
  readonly webSocketApi: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  /** wss:// URL clients connect to (append ?token=<JWT>). */
  readonly url: string;
  /** https:// base of the @connections API (WS_MANAGEMENT_URL). */
  readonly managementUrl: string;

  constructor(scope: Construct, id: string, props: RealtimeProps) {
    super(scope, id);
    const { table } = props;
    const stageName = props.stageName ?? 'prod';
    const tableEnv = { TABLE_NAME: table.tableName };

    // The same use case as the HTTP API's authorizer (app/authenticate.ts): a user's JWT or an API token.
    const authorize = handlerFunction(this, 'ws-authorize', {
      environment: {
        ...tableEnv, JWT_ISSUER: props.jwtIssuer, JWT_AUDIENCE: props.jwtAudience, JWKS_URI: `${props.jwtIssuer}/.well-known/jwks.json`,
      },
    });
    grantTokenLookup(authorize, table);
    const connect = handlerFunction(this, 'ws-connect', { environment: tableEnv });
    const disconnect = handlerFunction(this, 'ws-disconnect', { environment: tableEnv });
    table.grantReadWriteData(connect);
    table.grantReadWriteData(disconnect);

    this.webSocketApi = new apigwv2.WebSocketApi(this, 'WebSocketApi', {
      description: 'Loraworks live updates',
      connectRouteOptions: {
        integration: new WebSocketLambdaIntegration('ConnectIntegration', connect),
        authorizer: new WebSocketLambdaAuthorizer('JwtAuthorizer', authorize, {
          authorizerName: 'jwt-query-token',
          identitySource: ['route.request.querystring.token'],
        }),
      },
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('DisconnectIntegration', disconnect) },
    });

    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.webSocketApi,
      stageName,
      autoDeploy: true,
      accessLogSettings: accessLogSettings(this, props.logRetention, {
        eventType: '$context.eventType', routeKey: '$context.routeKey', connectionId: '$context.connectionId',
        status: '$context.status',
      }),
    });
    if (props.configureApiGatewayLogsRole ?? true) {
      const role = new iam.Role(this, 'ApiGatewayLogsRole', {
        assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
      });
      acknowledge(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'API Gateway\'s account-level logging role must be able to create log groups for any API; this AWS policy is the documented minimum.');
      const account = new apigw.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
      this.stage.node.addDependency(account);
    }
    this.url = this.stage.url;
    this.managementUrl = this.stage.callbackUrl;

    const message = handlerFunction(this, 'ws-message', { environment: { WS_MANAGEMENT_URL: this.managementUrl } });
    this.webSocketApi.addRoute('$default', {
      // ws-message answers through the @connections API, so no route response is configured.
      integration: new WebSocketLambdaIntegration('DefaultIntegration', message),
    });
    this.webSocketApi.grantManageConnections(message);

    const notify = handlerFunction(this, 'notify', {
      environment: { ...tableEnv, WS_MANAGEMENT_URL: this.managementUrl },
      timeout: Duration.seconds(30),
    });
    table.grantReadWriteData(notify); // reads connections, deletes the ones that are gone
    this.webSocketApi.grantManageConnections(notify);
    notify.addEventSource(new DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.LATEST,
      batchSize: props.batchSize ?? 50,
      maxBatchingWindow: Duration.seconds(1),
      retryAttempts: props.retryAttempts ?? 3,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      filters: [lambda.FilterCriteria.filter({
        dynamodb: { NewImage: { type: { S: lambda.FilterRule.or('Job', 'DatasetVersion', 'Adapter') } } },
      })],
    }));

    acknowledgeTableIndexes(this, table);
    const { region, account } = envInFinding(this);
    acknowledge(this, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${region}:${account}:<${logicalIdOf(this.webSocketApi)}>/*/*/@connections/*]`,
      'Posting to a connection needs @connections/{connectionId}; connection ids exist only at run time, and the grant is limited to this API.');
    acknowledge(notify.role!, 'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams, added by the DynamoDB event source, has no resource-level permissions.');

    // The local cloud reads which handler a route or the authorizer runs from this metadata.
    const routeHandlers = { '$connect': 'ws-connect', '$disconnect': 'ws-disconnect', '$default': 'ws-message' } as const;
    for (const [routeKey, handler] of Object.entries(routeHandlers)) {
      const route = this.webSocketApi.node.findChild(`${routeKey}-Route`).node.defaultChild as CfnResource;
      route.addMetadata(HANDLER_METADATA_KEY, handler);
    }
    const authorizer = this.webSocketApi.node.findChild('JwtAuthorizer').node.defaultChild as CfnResource | undefined;
    authorizer?.addMetadata(HANDLER_METADATA_KEY, 'ws-authorize');

    for (const routeKey of ['$disconnect', '$default']) {
      const route = this.webSocketApi.node.tryFindChild(`${routeKey}-Route`)?.node.defaultChild as CfnResource | undefined;
      if (route) acknowledge(route, 'AwsSolutions-APIG4',
        `${routeKey} runs only on a connection $connect already authorised with the JWT; WebSocket APIs accept authorizers on $connect alone.`);
    }
  }
}
