import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * Access logging of an API stage: a log group of its own (`AccessLogs` under `scope`) and one JSON line per
 * request. Every API logs who asked, when and what went wrong; `fields`, in the middle of the line, adds what
 * that kind of API knows (the HTTP API its latency, the WebSocket API its event and connection).
 */
export function accessLogSettings(scope: Construct, retention: logs.RetentionDays | undefined, fields: Record<string, string>): apigwv2.IAccessLogSettings {
  const group = new logs.LogGroup(scope, 'AccessLogs', {
    retention: retention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return {
    destination: new apigwv2.LogGroupLogDestination(group),
    format: apigw.AccessLogFormat.custom(JSON.stringify({
      requestId: '$context.requestId', ip: '$context.identity.sourceIp', requestTime: '$context.requestTime',
      ...fields,
      integrationError: '$context.integrationErrorMessage', authorizerError: '$context.authorizer.error',
    })),
  };
}
