import { LOCAL_ACCOUNT, LOCAL_REGION } from '../seam/local-events';

/**
 * The local counterpart of the resources serverless.yml creates: the same roles, different names. Everything the
 * functions learn from CloudFormation in the cloud (table names, queue URLs, ARNs) they learn from here locally,
 * through the same environment variables.
 */
export interface LocalEndpoints {
  /** http://127.0.0.1:<port>: the page, /api, /auth, /s3 and /local. */
  appUrl: string;
  /** http://127.0.0.1:<edgePort>: the local CloudFront distribution. */
  edgeUrl: string;
}

const prefix = 'vodflow-local';
const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;

export const LOCAL_STACK = {
  prefix,
  sourceBucket: `${prefix}-source`,
  mediaBucket: `${prefix}-media`,
  catalogueTable: `${prefix}-catalogue`,
  transcodeJobsTable: `${prefix}-transcode-jobs`,
  deadLetterQueue: `${prefix}-publish-dead-letters`,
  eventsDeadLetterQueue: `${prefix}-events-dead-letters`,
  notificationsTopic: `${prefix}-notifications`,
  alarmTopic: `${prefix}-alarms`,
  stateMachineName: `${prefix}-publish-video`,
  stateMachineArn: arn('states', `stateMachine:${prefix}-publish-video`),
  packagingGroupId: `${prefix}-packaging`,
  hlsConfigurationId: `${prefix}-hls`,
  dashConfigurationId: `${prefix}-dash`,
  distributionId: 'ELOCALVODFLOW',
  signingKeySecretName: `${prefix}/cloudfront-signing-key`,
  mediaConvertRoleArn: arn('iam', `role/${prefix}-mediaconvert`).replace(`:${LOCAL_REGION}:`, '::'),
  mediaConvertQueueArn: arn('mediaconvert', `queues/${prefix}`),
  mediaPackageSourceRoleArn: arn('iam', `role/${prefix}-mediapackage-source`).replace(`:${LOCAL_REGION}:`, '::'),
  jwtAudience: 'vodflow-local',
} as const;

export function queueUrl(name: string): string {
  return `http://127.0.0.1/queue/${LOCAL_ACCOUNT}/${name}`;
}
export function queueArn(name: string): string {
  return arn('sqs', name);
}
export function topicArn(name: string): string {
  return arn('sns', name);
}
export function functionArn(name: string): string {
  return arn('lambda', `function:${prefix}-${name}`);
}

/** The environment every function gets (each reads only its own variables, as in the cloud). */
export function functionEnvironment(endpoints: LocalEndpoints, keyPairId: string): Record<string, string> {
  const s = LOCAL_STACK;
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // The local S3 verifies pre-signed URLs with these; they open nothing outside this machine.
    AWS_ACCESS_KEY_ID: 'LOCALVODFLOWACCESSKEY',
    AWS_SECRET_ACCESS_KEY: 'local-vodflow-secret-access-key',
    AWS_ENDPOINT_URL_S3: `${endpoints.appUrl}/s3`,
    // Local queue URLs are on this host; the SQS client checks that they match its endpoint.
    AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1',
    STATE_MACHINE_ARN: s.stateMachineArn,
    CATALOGUE_TABLE: s.catalogueTable,
    TRANSCODE_JOBS_TABLE: s.transcodeJobsTable,
    SOURCE_BUCKET: s.sourceBucket,
    MEDIA_BUCKET: s.mediaBucket,
    MEDIACONVERT_ROLE_ARN: s.mediaConvertRoleArn,
    MEDIACONVERT_QUEUE_ARN: s.mediaConvertQueueArn,
    PACKAGING_GROUP_ID: s.packagingGroupId,
    HLS_PACKAGING_CONFIGURATION_ID: s.hlsConfigurationId,
    DASH_PACKAGING_CONFIGURATION_ID: s.dashConfigurationId,
    MEDIAPACKAGE_SOURCE_ROLE_ARN: s.mediaPackageSourceRoleArn,
    CDN_BASE_URL: endpoints.edgeUrl,
    // Local packaging is instant; the cloud default (40 s) only matters while MediaPackage ingests.
    PLAYABLE_WAIT_SECONDS: '5',
    DEAD_LETTER_QUEUE_URL: queueUrl(s.deadLetterQueue),
    NOTIFICATIONS_TOPIC_ARN: topicArn(s.notificationsTopic),
    JWT_ISSUER: `${endpoints.appUrl}/auth`,
    JWT_AUDIENCE: s.jwtAudience,
    JWKS_URL: `${endpoints.appUrl}/auth/.well-known/jwks.json`,
    CORS_ALLOWED_ORIGINS: endpoints.appUrl,
    CLOUDFRONT_KEY_PAIR_ID: keyPairId,
    SIGNING_KEY_SECRET_ID: s.signingKeySecretName,
    DISTRIBUTION_ID: s.distributionId,
    // Plain HTTP on loopback: a Secure cookie would never be sent back over http://127.0.0.1.
    COOKIE_SECURE: 'false',
    COOKIE_SAME_SITE: 'Lax',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
}
