/**
 * Environment of every function as the stack sets it, with test values. Import it before a handler: handlers read
 * their configuration once, at module load, like a Lambda cold start.
 */
export const TEST_ENV = {
  CATALOGUE_TABLE: 'vodflow-test-catalogue',
  TRANSCODE_JOBS_TABLE: 'vodflow-test-transcode-jobs',
  MEDIA_BUCKET: 'vodflow-dev-media',
  MEDIACONVERT_ROLE_ARN: 'arn:aws:iam::123456789012:role/vodflow-test-mediaconvert',
  MEDIACONVERT_QUEUE_ARN: 'arn:aws:mediaconvert:us-east-1:123456789012:queues/vodflow-dev',
  TASK_TOKEN_TTL_SECONDS: '86400',
  PACKAGING_GROUP_ID: 'vodflow-test',
  HLS_PACKAGING_CONFIGURATION_ID: 'vodflow-test-hls',
  DASH_PACKAGING_CONFIGURATION_ID: 'vodflow-test-dash',
  MEDIAPACKAGE_SOURCE_ROLE_ARN: 'arn:aws:iam::123456789012:role/vodflow-test-mediapackage-source',
  CDN_BASE_URL: 'https://d111111abcdef8.cloudfront.net',
  MAX_SOURCE_DURATION_SECONDS: '3600',
  MAX_SOURCE_BYTES: '10737418240',
  PLAYABLE_WAIT_SECONDS: '9',
  AWS_REGION: 'us-east-1',
  LOG_LEVEL: 'error',
};
Object.assign(process.env, TEST_ENV);
