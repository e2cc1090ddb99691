import { mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from './project-root';
import { LocalIssuer } from '../auth/local-issuer';
import { createEdge, type Edge } from '../edge/create-edge';
import { LocalSeam, routeClientToLocal } from '../seam/local-seam';
import type { LocalEvent } from '../seam/local-events';
import { LocalCloudFront } from '../services/cloudfront/local-cloudfront';
import { LocalDynamoDb } from '../services/dynamodb/local-dynamodb';
import { LocalMediaConvert } from '../services/media-convert/local-media-convert';
import { LocalMediaPackageVod } from '../services/media-package-vod/local-media-package-vod';
import { createS3HttpHandler } from '../services/s3/http/s3-http-handler';
import { LocalS3 } from '../services/s3/local-s3';
import { LocalSecretsManager } from '../services/secrets-manager/local-secrets-manager';
import { LocalSns } from '../services/sns/local-sns';
import { LocalSqs } from '../services/sqs/local-sqs';
import { loadDefinition } from '../step-functions/load-definition';
import { LocalStepFunctions } from '../step-functions/local-step-functions';
import { realScheduler, type Scheduler } from './scheduler';
import { createApiListener, createAppListener } from '../server/app-server';
import { functionClients } from './function-clients';
import { LocalLambda } from './lambda-functions';
import { LocalEventBus } from './local-event-bus';
import { scheduleFunction } from './scheduled-function';
import {
  functionArn,
  functionEnvironment,
  LOCAL_STACK,
  queueArn,
  queueUrl,
  topicArn,
  type LocalEndpoints,
} from './local-stack';
import { openSigningKeyPair } from './signing-key-pair';

export interface LocalRuntimeOptions {
  /** Where everything persists (default <project>/.vodflow/data). */
  dataDir?: string;
  /** App server port (0: any free port). */
  port?: number;
  /** Edge port (0: any free port). */
  edgePort?: number;
  /** Replaces every Retry interval of the ASL (tests use 0). */
  retryIntervalSeconds?: number;
  /** MediaConvert STATUS_UPDATE interval. */
  statusUpdateIntervalMs?: number;
  /** The clock of HeartbeatSeconds and of scheduled functions (tests pass one they move forward). */
  scheduler?: Scheduler;
  /** Which events EventBridge delivers (all by default); a test drops some to show what a lost event does. */
  deliverEvent?: (event: LocalEvent) => boolean;
}

/** serverless.yml's transcodeWatchdog schedule: rate(5 minutes). */
const TRANSCODE_WATCHDOG_INTERVAL_MS = 5 * 60 * 1000;

export interface LocalServices {
  s3: LocalS3;
  dynamoDb: LocalDynamoDb;
  sqs: LocalSqs;
  sns: LocalSns;
  stepFunctions: LocalStepFunctions;
  mediaConvert: LocalMediaConvert;
  mediaPackage: LocalMediaPackageVod;
  cloudFront: LocalCloudFront;
  secrets: LocalSecretsManager;
}

export interface LocalRuntime {
  endpoints: LocalEndpoints;
  dataDir: string;
  services: LocalServices;
  lambda: LocalLambda;
  issuer: LocalIssuer;
  edge: Edge;
  /** Resolves when no event, job or execution is in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolveListen, reject) => {
    const refuse = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${String(port)} on 127.0.0.1 is in use (vodflow already running?); choose others with --port and --edge-port`,
            )
          : error,
      );
    };
    server.once('error', refuse);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', refuse);
      resolveListen();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolveClose) =>
    server.close(() => {
      resolveClose();
    }),
  );
}

/** A listener that can be attached after the server listens (the port must be known before services exist). */
function deferredListener(): { listener: RequestListener; attach(listener: RequestListener): void } {
  let target: RequestListener | undefined;
  return {
    listener: (request: IncomingMessage, response: ServerResponse) => {
      if (target) {
        target(request, response);
        return;
      }
      response.writeHead(503, { 'retry-after': '1' });
      response.end('starting');
    },
    attach: (listener) => {
      target = listener;
    },
  };
}

/**
 * Local mode: the whole stack of serverless.yml on this machine. The same ASL and the same function code, with
 * every AWS command answered through one seam by a local service; an app server (page, API, issuer, S3 uploads)
 * and an edge (CloudFront) on 127.0.0.1.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir ?? join(PROJECT_ROOT, '.vodflow', 'data'));
  await mkdir(dataDir, { recursive: true });

  const app = deferredListener();
  const edgeDeferred = deferredListener();
  // Idle keep-alive connections stay open longer than any client keeps them (players, fetch: 4-5 s), so a client
  // never sends on a socket the server has just closed (ECONNRESET on a busy machine).
  const serverOptions = { keepAliveTimeout: 65_000, headersTimeout: 66_000 };
  const appServer = createServer(serverOptions, app.listener);
  const edgeServer = createServer(serverOptions, edgeDeferred.listener);
  const appPort = await listen(appServer, options.port ?? 8450);
  const edgePort = await listen(edgeServer, options.edgePort ?? appPort + 1);
  const endpoints: LocalEndpoints = {
    appUrl: `http://127.0.0.1:${String(appPort)}`,
    edgeUrl: `http://127.0.0.1:${String(edgePort)}`,
  };

  try {
    return await assemble(options, dataDir, { appServer, edgeServer, app, edge: edgeDeferred }, endpoints);
  } catch (error) {
    await Promise.all([closeServer(appServer), closeServer(edgeServer)]);
    throw error;
  }
}

interface Servers {
  appServer: Server;
  edgeServer: Server;
  app: ReturnType<typeof deferredListener>;
  edge: ReturnType<typeof deferredListener>;
}

async function assemble(
  options: LocalRuntimeOptions,
  dataDir: string,
  servers: Servers,
  endpoints: LocalEndpoints,
): Promise<LocalRuntime> {
  const { appServer, edgeServer, app, edge: edgeDeferred } = servers;
  const keys = await openSigningKeyPair(dataDir);
  const environment = functionEnvironment(endpoints, keys.keyPairId);
  Object.assign(process.env, environment);
  const issuer = await LocalIssuer.open({
    dataDir,
    issuer: environment.JWT_ISSUER ?? '',
    audience: LOCAL_STACK.jwtAudience,
  });

  const lambda = new LocalLambda();
  const scheduler = options.scheduler ?? realScheduler;
  const rules: ConstructorParameters<typeof LocalEventBus>[0] = [];
  const bus = new LocalEventBus(rules);
  const publish = (event: LocalEvent) => {
    if (options.deliverEvent && !options.deliverEvent(event)) return;
    bus.publish(event);
  };

  const s3 = new LocalS3({
    dataDir,
    buckets: [
      { name: LOCAL_STACK.sourceBucket, eventBridge: true, versioned: true },
      { name: LOCAL_STACK.mediaBucket },
    ],
    publish,
  });
  const dynamoDb = new LocalDynamoDb({
    dataDir,
    tables: [
      {
        name: LOCAL_STACK.catalogueTable,
        partitionKey: 'assetId',
        indexes: [{ name: 'byStatus', partitionKey: 'status', sortKey: 'updatedAt' }],
        ttlAttribute: 'expiresAt',
      },
      { name: LOCAL_STACK.transcodeJobsTable, partitionKey: 'correlationId', ttlAttribute: 'expiresAt' },
    ],
  });
  const sqs = new LocalSqs({
    dataDir,
    queues: [LOCAL_STACK.deadLetterQueue, LOCAL_STACK.eventsDeadLetterQueue].map((name) => ({
      name,
      url: queueUrl(name),
      arn: queueArn(name),
    })),
  });
  const sns = new LocalSns({
    dataDir,
    topics: [LOCAL_STACK.notificationsTopic, LOCAL_STACK.alarmTopic].map((name) => ({ name, arn: topicArn(name) })),
  });
  const secrets = new LocalSecretsManager({
    secrets: [{ name: LOCAL_STACK.signingKeySecretName, secretString: keys.privateKeyPem }],
  });
  // Jobs live in memory: a work folder found at start belongs to a job of a process that crashed. Swept.
  await rm(join(dataDir, 'mediaconvert'), { recursive: true, force: true });
  const mediaConvert = new LocalMediaConvert({
    store: s3,
    publish,
    workDir: join(dataDir, 'mediaconvert'),
    queues: [LOCAL_STACK.mediaConvertQueueArn.split('/').pop() ?? ''],
    scheduler,
    ...(options.statusUpdateIntervalMs === undefined ? {} : { statusUpdateIntervalMs: options.statusUpdateIntervalMs }),
  });
  const mediaPackage = new LocalMediaPackageVod({
    dataDir,
    store: s3,
    egressBaseUrl: endpoints.edgeUrl,
    groups: [
      {
        id: LOCAL_STACK.packagingGroupId,
        configurations: [
          { id: LOCAL_STACK.hlsConfigurationId, type: 'HLS' },
          { id: LOCAL_STACK.dashConfigurationId, type: 'DASH' },
        ],
      },
    ],
  });

  const seam = new LocalSeam();
  const api = createApiListener(lambda, endpoints);
  const edge = createEdge({
    store: s3,
    mediaPackage,
    mediaBucket: LOCAL_STACK.mediaBucket,
    trustedKeys: [{ keyPairId: keys.keyPairId, publicKeyPem: keys.publicKeyPem }],
    allowedOrigins: [endpoints.appUrl],
    viewerOrigin: endpoints.edgeUrl,
    api: (request, response) => void api(request, response, request.url ?? '/'),
  });
  const cloudFront = new LocalCloudFront({
    distributionId: LOCAL_STACK.distributionId,
    purge: (paths) => edge.purge(paths),
  });
  const stepFunctions = await LocalStepFunctions.open({
    dataDir,
    publish,
    stateMachineArn: LOCAL_STACK.stateMachineArn,
    definition: loadDefinition(join(PROJECT_ROOT, 'statemachines', 'publish-video.asl.yml'), {
      refs: {
        CatalogueTable: LOCAL_STACK.catalogueTable,
        NotificationsTopic: topicArn(LOCAL_STACK.notificationsTopic),
        DeadLetterQueue: queueUrl(LOCAL_STACK.deadLetterQueue),
        PlaybackDistribution: LOCAL_STACK.distributionId,
      },
      lambdaArns: {
        ProbeSourceLambdaFunction: functionArn('probeSource'),
        SubmitTranscodeLambdaFunction: functionArn('submitTranscode'),
        RegisterAssetLambdaFunction: functionArn('registerAsset'),
      },
    }),
    tasks: {
      invoke: (name, payload) => lambda.invoke(name, payload),
      call: (service, command, input) => seam.call(service, command, input),
    },
    ...(options.retryIntervalSeconds === undefined ? {} : { retryIntervalSeconds: options.retryIntervalSeconds }),
    scheduler,
  });
  seam.register(s3, dynamoDb, sqs, sns, stepFunctions, mediaConvert, mediaPackage, cloudFront, secrets);
  for (const client of await functionClients()) routeClientToLocal(client, seam);

  const deadLetter = async (event: LocalEvent, error: unknown) => {
    await sqs.handle('SendMessage', {
      QueueUrl: queueUrl(LOCAL_STACK.eventsDeadLetterQueue),
      MessageBody: JSON.stringify(event),
      MessageAttributes: {
        ERROR_MESSAGE: { DataType: 'String', StringValue: error instanceof Error ? error.name : 'Error' },
      },
    });
  };
  rules.push(
    {
      name: `${LOCAL_STACK.prefix}-source-object-created`,
      matches: (event) =>
        event.source === 'aws.s3' &&
        event['detail-type'] === 'Object Created' &&
        (event.detail.bucket as { name?: string } | undefined)?.name === LOCAL_STACK.sourceBucket,
      target: (event) => lambda.invoke('startPublish', event),
      retries: 2,
      deadLetter,
    },
    {
      name: `${LOCAL_STACK.prefix}-transcode-job-state-change`,
      matches: (event) => {
        const detail = event.detail as { status?: string; queue?: string; userMetadata?: { correlationId?: string } };
        return (
          event.source === 'aws.mediaconvert' &&
          event['detail-type'] === 'MediaConvert Job State Change' &&
          ['STATUS_UPDATE', 'COMPLETE', 'ERROR', 'CANCELED'].includes(detail.status ?? '') &&
          detail.queue === LOCAL_STACK.mediaConvertQueueArn &&
          detail.userMetadata?.correlationId !== undefined
        );
      },
      target: (event) => lambda.invoke('transcodeCallback', event),
      retries: 2,
      deadLetter,
    },
    {
      name: `${LOCAL_STACK.prefix}-publish-execution-stopped`,
      matches: (event) => {
        const detail = event.detail as { status?: string; stateMachineArn?: string };
        return (
          event.source === 'aws.states' &&
          event['detail-type'] === 'Step Functions Execution Status Change' &&
          ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(detail.status ?? '') &&
          detail.stateMachineArn === LOCAL_STACK.stateMachineArn
        );
      },
      target: (event) => lambda.invoke('settleStoppedExecution', event),
      retries: 2,
      deadLetter,
    },
  );
  // Executions that a shutdown or a crash cut short are announced now, so the asset leaves its working state.
  await stepFunctions.announcePendingStops();

  const watchdog = scheduleFunction({
    lambda,
    functionName: 'transcodeWatchdog',
    ruleName: `${LOCAL_STACK.prefix}-transcode-watchdog`,
    intervalMs: TRANSCODE_WATCHDOG_INTERVAL_MS,
    scheduler,
  });

  const services: LocalServices = {
    s3,
    dynamoDb,
    sqs,
    sns,
    stepFunctions,
    mediaConvert,
    mediaPackage,
    cloudFront,
    secrets,
  };
  const s3Http = createS3HttpHandler({
    s3,
    credentials: {
      accessKeyId: environment.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: environment.AWS_SECRET_ACCESS_KEY ?? '',
    },
    region: environment.AWS_REGION ?? 'us-east-1',
    pathPrefix: '/s3',
    // The only function that signs URLs is the upload API; its role (serverless.yml CreateUploadRole) allows
    // s3:PutObject and s3:AbortMultipartUpload on the source bucket's uploads/ and nothing else.
    grants: [
      { bucket: LOCAL_STACK.sourceBucket, keyPrefix: 'uploads/', actions: ['s3:PutObject', 's3:AbortMultipartUpload'] },
    ],
    allowedOrigins: [endpoints.appUrl],
  });
  const idle = async () => {
    for (let round = 0; round < 3; round += 1) {
      await bus.idle();
      await mediaConvert.idle();
      await stepFunctions.idle();
    }
  };
  const runtime: LocalRuntime = {
    endpoints,
    dataDir,
    services,
    lambda,
    issuer,
    edge,
    idle,
    close: async () => {
      await watchdog.stop();
      await mediaConvert.close();
      await stepFunctions.close();
      await bus.idle();
      await Promise.all([closeServer(appServer), closeServer(edgeServer)]);
    },
  };
  app.attach(createAppListener({ runtime, api, s3Http }));
  edgeDeferred.attach(edge.listener);
  return runtime;
}
