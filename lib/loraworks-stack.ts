import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MAX_UPLOAD_BYTES } from '#domain/upload-limit';
import { Api } from './api';
import { Auth, OIDC_SCOPES } from './auth';
import { Datasets } from './datasets';
import { Imports } from './imports';
import { Realtime } from './realtime';
import { Schedules } from './schedules';
import { Storage } from './storage';
import { checkReplicateDestination } from './trainer-env';
import { Training } from './training';
import { Web } from './web';

export interface LoraworksStackProps extends StackProps {
  /** Largest dataset upload, bytes. @default 2 GiB */
  readonly maxUploadBytes?: number;
  /**
   * Extra browser origins (no trailing slash) allowed to call the API and upload, and to sign in: each `${origin}/`
   * is also a callback and sign-out URL of the web app's client (e.g. a dev server). @default - the CloudFront origin only
   */
  readonly extraCorsOrigins?: string[];
  /** Folder of the built web app. @default web/dist */
  readonly webDistPath?: string;
  /**
   * `owner/name` of the Replicate model each Replicate training writes a version of (create it at replicate.com).
   * Also read from the context value `replicateDestination` (`cdk deploy -c replicateDestination=owner/name`).
   * @default - none: the catalog leaves Replicate's trainers out and says why
   */
  readonly replicateDestination?: string;
  /**
   * Prefix of the Cognito managed-login domain (`{prefix}.auth.{region}.amazoncognito.com`, unique in the region).
   * Also read from the context value `cognitoDomainPrefix`. @default `loraworks-{account}`
   */
  readonly cognitoDomainPrefix?: string;
}

/** Loraworks in AWS: one construct per concern (storage, auth, training, datasets, schedules, web, API, realtime), wired here. */
export class LoraworksStack extends Stack {
  readonly storage: Storage;
  readonly auth: Auth;
  readonly training: Training;
  readonly datasets: Datasets;
  readonly schedules: Schedules;
  readonly imports: Imports;
  readonly web: Web;
  readonly api: Api;
  readonly realtime: Realtime;

  constructor(scope: Construct, id: string, props: LoraworksStackProps = {}) {
    super(scope, id, props);
    const maxUploadBytes = props.maxUploadBytes ?? MAX_UPLOAD_BYTES;
    const replicateDestination = checkReplicateDestination(props.replicateDestination ?? this.node.tryGetContext('replicateDestination'));

    this.storage = new Storage(this, 'Storage');
    const { table, datasets, artifacts, trainerSecret } = this.storage;
    // The web origin first: the app client's callback and sign-out URLs name it.
    this.web = new Web(this, 'Web', { bucket: this.storage.web, logBucket: this.storage.logs, distPath: props.webDistPath });
    const corsOrigins = [this.web.origin, ...(props.extraCorsOrigins ?? [])];
    this.storage.allowBrowserUploadsFrom(...corsOrigins);
    const domainPrefix = props.cognitoDomainPrefix ?? this.node.tryGetContext('cognitoDomainPrefix') ?? `loraworks-${this.account}`;
    this.auth = new Auth(this, 'Auth', { webOrigins: corsOrigins, domainPrefix });
    const jwt = { jwtIssuer: this.auth.issuer, jwtAudience: this.auth.client.userPoolClientId };

    this.training = new Training(this, 'Training', { table, artifacts, datasets, trainerSecret, replicateDestination });
    const { stateMachine } = this.training;
    this.datasets = new Datasets(this, 'Datasets', { table, bucket: datasets, trainerSecret, stateMachine, maxUploadBytes, replicateDestination });

    this.schedules = new Schedules(this, 'Schedules', { table, stateMachine, trainerSecret, replicateDestination });
    this.imports = new Imports(this, 'Imports', { table, artifacts });

    this.api = new Api(this, 'Api', {
      table, datasets, artifacts, trainerSecret, stateMachine, schedules: this.schedules, ...jwt, corsOrigins, maxUploadBytes, replicateDestination,
    });
    this.datasets.trustUploadsOf(this.api.toolingUploadRole);
    this.realtime = new Realtime(this, 'Realtime', { table, ...jwt });

    this.web.publish({
      apiUrl: this.api.url,
      wsUrl: this.realtime.url,
      auth: {
        mode: 'oidc',
        authority: this.auth.issuer,
        clientId: this.auth.client.userPoolClientId,
        scopes: OIDC_SCOPES.join(' '),
        logoutUrl: this.auth.logoutUrl,
      },
    });

    new CfnOutput(this, 'WebUrl', { value: this.web.origin });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'WebSocketUrl', { value: this.realtime.url });
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'SignInDomain', { value: this.auth.domain.baseUrl() });
    new CfnOutput(this, 'TrainerSecretArn', { value: trainerSecret.secretArn });
  }
}
