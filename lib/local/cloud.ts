// The local cloud: every part of the AWS stack on loopback, wired from the synthesized template, with the
// project's handlers running against them through the real AWS SDK clients.
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDBRecord } from 'aws-lambda';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import S3rver from 's3rver';
import { devIssuer } from './aws/dev-issuer';
import { LOCAL_CLIENT_ID, OIDC_SCOPES, oidcProvider, oidcTokenSeconds } from './aws/oidc-provider';
import { startDynaliteProcess } from './dynalite-process';
import { httpGateway } from './aws/http-gateway';
import { closeServer, fromThisMachine, listen, startServer } from './http-util';
import { LocalIam, localBucketOf, type Authorize } from './aws/iam';
import { lambdaApi } from './aws/lambda-api';
import { DEVELOPER_CREDENTIALS, principalCredentials } from './aws/local-credentials';
import { LambdaRuntime, LOCAL_REGION, localRoleArn, localRoleId } from './aws/lambda-runtime';
import { realtimeEnvironment, startRealtimeProcess } from './realtime-process';
import { corsXml } from './aws/s3-cors';
import { awsEventRecords } from './aws/s3-event-keys';
// s3rver stores keys literally from here on: `..`, `.` and empty segments name no other file (s3-literal-keys.ts).
import './aws/s3-literal-keys';
import { s3Notifications } from './aws/s3-notifications';
import { s3UploadPolicyProxy } from './aws/s3-upload-policy';
import { recordWriters } from './aws/s3-writers';
import { localSecretsManager } from './aws/secrets-manager';
import { localStepFunctions } from './aws/step-functions';
import { localSts } from './aws/sts';
import { systemClock, type Delivery, type SchedulerClock } from './aws/scheduler';
import { schedulerService, schedulerTickMs } from './scheduler-service';
import { StackTemplate, type SecretSpec } from './template';
import { localTemplate } from './template-cache';
import { startTrainerEmulator } from './trainer-emulator/server';
import { webAssets } from './web-assets';
import type { ReconcileReport } from '#app/reconcile';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const LOCAL_NAMES = { table: 'loraworks', datasets: 'loraworks-datasets', artifacts: 'loraworks-artifacts' } as const;
/** Longer than any validation lease: a grace this far negative selects every VALIDATING version. */
const LEASES_VOID_SECONDS = 24 * 3600;

export interface LocalCloudOptions {
  /** Port of the web app, API and WebSocket (0 picks a free one). */
  port: number;
  dataDir: string;
  emulatorStepsPerSecond?: number;
  /** Host name the browser uses to reach this machine. @default 'localhost' */
  host?: string;
  log?: (line: string) => void;
  /**
   * What the trainer secret holds, as the operator puts it in after deploying; a key left out is missing, as an
   * empty one is in AWS. @default the developer's FAL_KEY and REPLICATE_API_TOKEN, else the emulator's defaults
   */
  trainerKeys?: TrainerKeys;
  /**
   * How often expired items (the table's TTL attribute in the template) are deleted, in ms; 0 only when
   * `sweepTtl` is called. DynamoDB deletes them within days; locally a minute stands in. @default 60000
   */
  ttlSweepMs?: number;
  /** The keys the trainer emulator accepts, as fal and Replicate accept only yours. @default those of `trainerKeys` */
  emulatorKeys?: { fal?: string; replicate?: string };
  /** Lifetime of the ID and access tokens the OpenID provider issues, seconds. @default LORAWORKS_OIDC_TOKEN_SECONDS, else 3600 */
  oidcTokenSeconds?: number;
  /**
   * The local Scheduler's clock. Given one (tests: `manualClock(start)`), the Scheduler fires only on
   * `scheduler.tick()`; without, the system clock ticks every LORAWORKS_SCHEDULER_TICK_MS (default 10000) ms.
   */
  schedulerClock?: SchedulerClock;
}

export interface TrainerKeys { FAL_KEY?: string; REPLICATE_API_TOKEN?: string }

/** The emulator's own keys, for a developer who set none (the emulator accepts exactly what the secret holds). */
export const EMULATOR_TRAINER_KEYS = { FAL_KEY: 'local-emulator-key', REPLICATE_API_TOKEN: 'local-emulator-token' } as const;

export interface LocalCloud {
  url: string;
  apiUrl: string;
  wsUrl: string;
  emulatorUrl: string;
  s3Url: string;
  /** The local Secrets Manager (the trainer secret, the dataset link signer's), for the AWS CLI's --endpoint-url. */
  secretsManagerUrl: string;
  /** The local STS (AssumeRole of the template's roles: the tooling-upload role). */
  stsUrl: string;
  /** The local EventBridge Scheduler (`aws scheduler … --endpoint-url`; the handlers reach it through AWS_ENDPOINT_URL_SCHEDULER). */
  schedulerUrl: string;
  /** The local Scheduler's firings: deliver what is due now (or at `now` on the clock given), and when a schedule of the stack's group fires next. */
  scheduler: { tick(now?: Date): Promise<Delivery[]>; nextRunAt(name: string): Date | undefined };
  /** The file the local Scheduler appends a queue's dead-letter events to (one JSON object a line), by queue ARN. */
  deadLetterFile(queueArn: string): string;
  stateMachineDefinition: unknown;
  /** The S3 event records s3rver emitted (keys URL-encoded as S3 encodes them), and a way to deliver one again (duplicate and late events, for tests). */
  s3Events: { records(): S3EventRecordLike[]; deliver(event: { Records: S3EventRecordLike[] }): void; idle(): Promise<void> };
  /** Resolves once stream records and executions started so far have been handed on (for tests). */
  streamsIdle(): Promise<void>;
  /** Called with each batch of stream records the moment their writes commit (benchmarks time pushes from here). */
  onStreamRecords(listener: (records: DynamoDBRecord[], committedAt: number) => void): void;
  /** One pass of the table's TTL now, or as if the clock read `at`; resolves with how many items it deleted. */
  sweepTtl(at?: Date): Promise<number>;
  /** The workflow executions of a job (named after it: `${jobId}` and the reconciler's `${jobId}-r${n}`), for tests. */
  executionsOf(jobId: string): { name: string; status: string }[];
  stop(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const host = options.host ?? 'localhost';
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  const tickMs = schedulerTickMs(process.env.LORAWORKS_SCHEDULER_TICK_MS);
  await Promise.all(['s3', 'dynamodb'].map((d) => mkdir(join(dataDir, d), { recursive: true })));
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => undefined);
  };

  try {
    // The public server first: a port in use should fail before anything else starts.
    const main = createServer();
    const port = await listen(main, options.port, host === 'localhost' ? undefined : '127.0.0.1');
    stops.push(() => closeServer(main));
    const url = `http://${host}:${port}`;

    const template = new StackTemplate(await localTemplate());
    const runtime = new LambdaRuntime(join(ROOT, 'functions/handlers'));
    // IAM as the template declares it: each function signs with its own key and may do what its role allows.
    const iam = LocalIam.fromTemplate(template, LOCAL_NAMES);
    stops.push(() => runtime.stop());

    // Each bucket's CORS rules come from the template (browser uploads by POST, the editor's byte-range GETs).
    const cors = template.bucketCorsRules();
    const s3 = new S3rver({
      silent: true, directory: join(dataDir, 's3'), vhostBuckets: false,
      configureBuckets: [LOCAL_NAMES.datasets, LOCAL_NAMES.artifacts].map((name) => ({
        name, configs: [corsXml(cors.filter((c) => localBucketOf(LOCAL_NAMES, c.bucket) === name).flatMap((c) => c.rules))],
      })),
    });
    await s3.configureBuckets();
    // Each event record names who wrote the object, as S3's do (userIdentity.principalId): the front tells s3rver.
    recordWriters(s3);
    // s3rver accepts any request; it listens on a unix socket only this user can open, so everything reaches it
    // through the front, which authenticates and authorizes each request (and enforces POST policies).
    const socket = await s3Socket(dataDir);
    const s3Server = await s3.listen(socket);
    await chmod(socket, 0o600);
    stops.push(() => closeServer(s3Server));
    const authorize: Authorize = (accessKeyId, action, resource, token) => iam.authorize(accessKeyId, action, resource, token); // S3 and Secrets Manager ask it
    const principalId = (accessKeyId: string, token?: string) => iam.principalId(accessKeyId, token);
    const s3Front = await startServer(s3UploadPolicyProxy({ socketPath: socket }, join(dataDir, 's3'), { authorize, region: LOCAL_REGION, principalId }));
    stops.push(() => closeServer(s3Front.server));
    const s3Url = `http://${host}:${new URL(s3Front.url).port}`;

    // dynalite and the proxy that turns its writes into stream records run in a process of their own, and the
    // push path (the stream's consumer, the WebSocket API, @connections) in another: records go straight there.
    // Both start side by side (each spends a few hundred ms loading); one that started is stopped even if the other failed.
    const [dynamoStarted, realtimeStarted] = await Promise.allSettled([startDynaliteProcess(join(dataDir, 'dynamodb'), iam.toJSON()), startRealtimeProcess()]);
    if (dynamoStarted.status === 'fulfilled') stops.push(() => dynamoStarted.value.stop());
    // A server that handed sockets to a child process asks it, on close, whether they are closed, and waits
    // forever once that child is gone: the public server starts closing before the realtime process stops.
    if (realtimeStarted.status === 'fulfilled') {
      stops.push(async () => {
        const closed = closeServer(main);
        await realtimeStarted.value.stop();
        await closed;
      });
    }
    if (dynamoStarted.status === 'rejected') throw dynamoStarted.reason;
    if (realtimeStarted.status === 'rejected') throw realtimeStarted.reason;
    const dynamo = dynamoStarted.value;
    const realtime = realtimeStarted.value;
    await ensureTable(dynamo.tableUrl, template);
    dynamo.subscribe(realtime.streamPort);
    const tableSpec = template.table();
    if (tableSpec.ttlAttribute) {
      dynamo.expireItems({
        table: LOCAL_NAMES.table, keys: tableSpec.KeySchema.map((k) => k.AttributeName!), attribute: tableSpec.ttlAttribute,
        intervalMs: options.ttlSweepMs ?? Number(process.env.LORAWORKS_TTL_SWEEP_MS ?? 60_000),
      });
    }

    const lambda = await startServer(lambdaApi(runtime, iam));
    stops.push(() => closeServer(lambda.server));

    const definition = template.stateMachineDefinition();
    // The interpreter annotates the definition it is given; keep the synthesized one pristine.
    const sfn = localStepFunctions(structuredClone(definition), iam);
    const sfnServer = await startServer((req, res) => sfn.handle(req, res));
    stops.push(() => closeServer(sfnServer.server));
    stops.push(() => sfn.stop());

    // The trainer keys reach the functions as they do in AWS: through the secret the template declares, never
    // through their environment (a developer's FAL_KEY / REPLICATE_API_TOKEN goes into the secret, and out of it).
    const trainerKeys: TrainerKeys = options.trainerKeys ?? {
      FAL_KEY: process.env.FAL_KEY || EMULATOR_TRAINER_KEYS.FAL_KEY,
      REPLICATE_API_TOKEN: process.env.REPLICATE_API_TOKEN || EMULATOR_TRAINER_KEYS.REPLICATE_API_TOKEN,
    };
    delete process.env.FAL_KEY;
    delete process.env.REPLICATE_API_TOKEN;
    const secretsManager = localSecretsManager({ authorize });
    const secretsServer = await startServer((req, res) => secretsManager.handle(req, res));
    stops.push(() => closeServer(secretsServer.server));
    // STS hands out sessions of the template's roles (the tooling-upload role) to the principals they trust.
    const sts = localSts({ iam });
    const stsServer = await startServer((req, res) => sts.handle(req, res));
    stops.push(() => closeServer(stsServer.server));
    // A role's ARN or RoleId in a function's environment is the local one (the same iam.ts resolves).
    const roleValues = Object.fromEntries(Object.entries(template.roleVariables()).map(([name, r]) =>
      [name, r.attribute === 'Arn' ? localRoleArn(r.roleName) : localRoleId(r.role)]));
    const secretArns: Record<string, string> = {};
    for (const spec of template.secrets()) {
      // A secret holding a user's access key (the dataset link signer's) holds that principal's local key.
      const userKey = spec.accessKeyOf ? principalCredentials(spec.accessKeyOf) : undefined;
      const values = userKey ? { ...userKey } : { ...trainerKeys };
      const { arn } = secretsManager.create(spec.logicalId, localSecretValue(spec, values), spec.description);
      for (const variable of spec.arnVariables) secretArns[variable] = arn;
    }

    // EventBridge Scheduler: its schedules persist in the data folder; its targets run in this runtime.
    const schedules = schedulerService({ template, iam, runtime, dataDir, clock: options.schedulerClock ?? systemClock, log });
    const schedulerServer = await startServer((req, res) => schedules.scheduler.handle(req, res));
    stops.push(() => closeServer(schedulerServer.server));
    // Stopped before the runtime (stops run in reverse): a firing under way finishes first.
    stops.push(() => schedules.scheduler.stop());

    const emulator = await startTrainerEmulator({
      port: 0, stepsPerSecond: options.emulatorStepsPerSecond ?? Number(process.env.LORAWORKS_EMULATOR_STEPS_PER_SECOND ?? 50),
      dataDir: join(dataDir, 'emulator'),
      keys: options.emulatorKeys ?? {
        ...(trainerKeys.FAL_KEY ? { fal: trainerKeys.FAL_KEY } : {}),
        ...(trainerKeys.REPLICATE_API_TOKEN ? { replicate: trainerKeys.REPLICATE_API_TOKEN } : {}),
      },
    });
    stops.push(() => emulator.stop());

    const issuer = await devIssuer(dataDir, `${url}/dev`);
    const oidc = await oidcProvider({ issuer, dataDir, redirectUri: `${url}/`, tokenSeconds: oidcTokenSeconds(options.oidcTokenSeconds ?? process.env.LORAWORKS_OIDC_TOKEN_SECONDS) });
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: DEVELOPER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEVELOPER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3Url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      AWS_ENDPOINT_URL_SFN: sfnServer.url,
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsServer.url,
      AWS_ENDPOINT_URL_STS: stsServer.url,
      AWS_ENDPOINT_URL_SCHEDULER: schedulerServer.url,
      ...schedules.environment,
      ...secretArns,
      ...roleValues,
      S3_FORCE_PATH_STYLE: 'true',
      TABLE_NAME: LOCAL_NAMES.table,
      DATASETS_BUCKET: LOCAL_NAMES.datasets,
      ARTIFACTS_BUCKET: LOCAL_NAMES.artifacts,
      STATE_MACHINE_ARN: sfn.stateMachineArn,
      WS_MANAGEMENT_URL: `${realtime.connectionsUrl}/ws`,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: 'loraworks-local',
      JWKS_URI: `${issuer.issuer}/.well-known/jwks.json`,
      FAL_QUEUE_URL: emulator.queueUrl,
      FAL_API_URL: emulator.apiUrl,
      REPLICATE_API_URL: emulator.replicateUrl,
      REPLICATE_DESTINATION: process.env.REPLICATE_DESTINATION ?? 'loraworks/local-loras',
      POLL_MIN_SECONDS: process.env.POLL_MIN_SECONDS ?? '1',
      POLL_MAX_SECONDS: process.env.POLL_MAX_SECONDS ?? '3',
    });

    await realtime.configure({
      env: realtimeEnvironment(template, process.env),
      routes: template.webSocketRoutes(),
      streamConsumer: template.streamConsumer(),
      handlersDir: join(ROOT, 'functions/handlers'),
      iam: iam.toJSON(),
    });

    const notifications = s3Notifications(template.objectCreatedNotifications(), runtime, (id) => localBucketOf(LOCAL_NAMES, id));
    const s3Records: S3EventRecordLike[] = [];
    // s3rver puts the raw key in its records; S3 URL-encodes it (s3-event-keys.ts). A throw here would fail the
    // request that stored the object, so nothing may: the records are re-encoded, then handed on.
    s3.on('event', (event: { Records: S3EventRecordLike[] }) => {
      const records = awsEventRecords(event.Records);
      s3Records.push(...records);
      notifications.deliver({ Records: records });
    });

    const api = httpGateway({ routes: template.httpRoutes(), runtime, issuer, basePath: '/api' });
    const web = webAssets(join(ROOT, 'web/dist'));
    const config = (hostHeader: string | undefined) => {
      const origin = hostHeader ?? `${host}:${port}`;
      return {
        apiUrl: `http://${origin}/api`, wsUrl: `ws://${origin}/ws`,
        auth: { mode: 'oidc', authority: issuer.issuer, clientId: LOCAL_CLIENT_ID, scopes: OIDC_SCOPES, logoutUrl: oidc.logoutUrl },
      };
    };

    main.on('request', (req, res) => {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      const handled = (async () => {
        if (path === '/api' || path.startsWith('/api/')) return api(req, res);
        if (path === '/config.json') return json(res, config(req.headers.host));
        // The OpenID provider (discovery, authorize, token, userInfo, revoke, logout, JWKS) under its issuer.
        if (path.startsWith('/dev/')) return oidc.handle(req, res, path.slice('/dev'.length));
        // The local cloud's own wiring, for tools on this machine: nobody else's business (the public port may
        // listen on every interface).
        if (path === '/__local/info') {
          if (!fromThisMachine(req, [host])) return json(res, { error: { code: 'FORBIDDEN', message: '/__local/info answers only on this machine (loopback).' } }, 403);
          return json(res, { emulatorUrl: emulator.url, s3Url, schedulerUrl: schedulerServer.url, stateMachineArn: sfn.stateMachineArn });
        }
        return web(req, res);
      })();
      handled.catch((error: Error) => {
        log(`[local] ${req.method} ${path} failed: ${error.message}`);
        if (!res.headersSent) json(res, { error: { code: 'INTERNAL', message: 'Something went wrong on our side; try again.' } }, 500);
        else res.end();
      });
    });
    main.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://local').pathname === '/ws') realtime.upgrade(req, socket, head);
      else socket.destroy();
    });

    // Executions of a previous run are gone (the interpreter keeps them in memory): the reconciler resumes
    // every unfinished job on the same remote job, or submits one that never reached the trainer. No request
    // of this run can be starting a workflow yet, so no job is too young to repair.
    // Likewise no validation or derive of a previous run can still be going: any lease it held is void.
    const repaired = (await runtime.call(template.reconciler(), { startGraceSeconds: 0, validationGraceSeconds: -LEASES_VOID_SECONDS })) as ReconcileReport;
    if (repaired.validationsFailed > 0) log(`[local] ${repaired.validationsFailed} upload check(s) interrupted by the last stop are marked INVALID; upload those archives again`);
    if (repaired.uploadsFailed > 0) log(`[local] ${repaired.uploadsFailed} version(s) stuck uploading (no file came, or their build from an edit was stopped) are marked INVALID; each one's report says what to do`);
    if (repaired.checked > 0) log(`[local] reconciled ${repaired.checked} unfinished job(s): ${repaired.resumed} resumed, ${repaired.cancelled} cancelled, ${repaired.failed} failed`);

    // Firings start once everything they reach is up (a missed one is handled as Scheduler's flexible window would).
    if (!options.schedulerClock) {
      schedules.scheduler.start(tickMs, (error) => log(`[scheduler] a tick failed: ${error.message}`));
    }

    return {
      url,
      apiUrl: `${url}/api`,
      wsUrl: `ws://${host}:${port}/ws`,
      emulatorUrl: emulator.url,
      s3Url,
      secretsManagerUrl: secretsServer.url,
      stsUrl: stsServer.url,
      schedulerUrl: schedulerServer.url,
      scheduler: { tick: (now) => schedules.scheduler.tick(now), nextRunAt: (name) => schedules.scheduler.nextRunAt(name, schedules.group) },
      deadLetterFile: (queueArn) => schedules.deadLetterFile(queueArn),
      stateMachineDefinition: definition,
      s3Events: { records: () => [...s3Records], deliver: (event) => notifications.deliver(event), idle: () => notifications.idle() },
      streamsIdle: () => dynamo.sync().then((seq) => realtime.idle(seq)),
      onStreamRecords: (listener) => dynamo.forward(listener),
      sweepTtl: (at) => dynamo.sweepTtl(at),
      executionsOf: (jobId) => sfn.executions()
        .filter((e) => e.name === jobId || e.name.startsWith(`${jobId}-r`))
        .map((e) => ({ name: e.name, status: e.status })),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A socket path in a folder only this user can enter (the data folder's, unless too long for a socket name). */
async function s3Socket(dataDir: string): Promise<string> {
  const inData = join(dataDir, 's3-socket');
  const dir = inData.length + 8 < 100 ? inData : await mkdtemp(join(tmpdir(), 'loraworks-s3-'));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const path = join(dir, 's3.sock');
  await rm(path, { force: true });
  return path;
}

/**
 * The value the local cloud gives a secret of the template: each field its JSON declares, from `values` (a field
 * with no value stays empty, as the stack's placeholders are until the operator fills them in).
 */
function localSecretValue(spec: SecretSpec, values: Record<string, string | undefined>): string {
  return JSON.stringify(Object.fromEntries(spec.fields.map((field) => [field, values[field] ?? ''])));
}

function json(res: import('node:http').ServerResponse, body: unknown, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function ensureTable(endpoint: string, template: StackTemplate) {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const { TableNames = [] } = await client.send(new ListTablesCommand({}));
  if (TableNames.includes(LOCAL_NAMES.table)) return;
  const spec = template.table();
  await client.send(new CreateTableCommand({
    TableName: LOCAL_NAMES.table,
    KeySchema: spec.KeySchema,
    AttributeDefinitions: spec.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
    ...(spec.GlobalSecondaryIndexes?.length ? { GlobalSecondaryIndexes: spec.GlobalSecondaryIndexes } : {}),
  }));
}


export type S3EventRecordLike = { eventName: string; s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer?: string } } };
