import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './handler-function';
import { acknowledge, arnInFinding, envInFinding } from './nag';

/** The web app's /config.json: where its two APIs are and how it signs in (the app reads it at start). */
export interface WebConfig {
  readonly apiUrl: string;
  readonly wsUrl: string;
  /** The OpenID provider (Cognito's user pool): `logoutUrl` is its sign-out endpoint, which discovery does not name. */
  readonly auth: { readonly mode: 'oidc'; readonly authority: string; readonly clientId: string; readonly scopes: string; readonly logoutUrl: string };
}

export interface WebProps {
  /** Bucket holding the built app; private, reached only through CloudFront (OAC). */
  readonly bucket: s3.IBucket;
  /** Bucket for CloudFront access logs (ACLs enabled). */
  readonly logBucket: s3.IBucket;
  /** Folder of the built web app. Deployed when it exists at synth time; otherwise only /config.json is. @default web/dist */
  readonly distPath?: string;
}

/** The static front end: CloudFront in front of the private web bucket, plus the deployed app and its config. */
export class Web extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** https:// origin of the web app (no trailing slash), for CORS. */
  readonly origin: string;
  private readonly props: WebProps;

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    this.props = props;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Loraworks web app',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(props.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        compress: true,
      },
      // The app routes on the client: unknown paths get the app shell.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus, responseHttpStatus: 200, responsePagePath: '/index.html', ttl: Duration.seconds(10),
      })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    acknowledge(this.distribution, 'AwsSolutions-CFR1', 'The workspace is offered worldwide; there is no country to exclude.');
    acknowledge(this.distribution, 'AwsSolutions-CFR2',
      'The distribution serves only static files; the APIs behind JWT do the work. A WAF web ACL is an operator add-on.');
    acknowledge(this.distribution, 'AwsSolutions-CFR4',
      'No custom domain is configured, so the default *.cloudfront.net certificate decides the viewer TLS policy.');
    this.origin = `https://${this.distribution.distributionDomainName}`;
  }

  /** Deploys the built app (if present) and /config.json pointing at the deployed APIs and user pool. */
  publish(config: WebConfig): s3deploy.BucketDeployment {
    const dist = this.props.distPath ?? join(PROJECT_ROOT, 'web', 'dist');
    const sources = [
      ...(existsSync(join(dist, 'index.html')) ? [s3deploy.Source.asset(dist)] : []),
      s3deploy.Source.jsonData('config.json', config),
    ];
    const deployment = new s3deploy.BucketDeployment(this, 'Site', {
      destinationBucket: this.props.bucket,
      sources,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 512,
    });
    const stack = Stack.of(this);
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      acknowledge(child, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'CDK\'s BucketDeployment provider function; its role is created by aws-cdk-lib and only writes its own logs with this policy.');
      acknowledge(child, 'AwsSolutions-L1', 'CDK\'s BucketDeployment provider function; aws-cdk-lib pins its Python runtime.');
      for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
        acknowledge(child, `AwsSolutions-IAM5[Action::${action}]`,
          'CDK\'s BucketDeployment copies the site from the asset bucket and prunes stale files in the web bucket; aws-cdk-lib grants these.');
      }
      const { region, account } = envInFinding(this);
      acknowledge(child, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`,
        'BucketDeployment reads the zipped site from the CDK bootstrap asset bucket.');
      acknowledge(child, `AwsSolutions-IAM5[Resource::${arnInFinding(this.props.bucket)}/*]`,
        'BucketDeployment writes every file of the site into the web bucket.');
      acknowledge(child, 'AwsSolutions-IAM5[Resource::*]',
        'BucketDeployment invalidates /index.html and /config.json; CloudFront invalidation actions take no resource ARN in CDK\'s grant.');
    }
    return deployment;
  }
}
