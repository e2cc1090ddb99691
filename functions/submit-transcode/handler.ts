import { numberEnv, requiredEnv } from '../commons/config';
import { recordTranscodeProgress } from '../commons/catalogue-progress';
import { logger } from '../commons/logger';
import { correlationIdFor } from '../commons/transcode-job-record';
import type { SourceMedia, SourceObject } from '../commons/types';
import { buildJobSettings, loadJobTemplate, TEMPLATE_VERSION } from './build-job-settings';
import { createTranscodeJob } from './create-transcode-job';
import { storeJobId, storeTaskToken } from './store-task-token';

export interface SubmitTranscodeInput {
  taskToken: string;
  assetId: string;
  publishId: string;
  source: SourceObject;
  media: SourceMedia;
}

export interface SubmitTranscodeOutput {
  jobId: string;
  correlationId: string;
}

const config = {
  catalogueTable: requiredEnv('CATALOGUE_TABLE'),
  jobsTable: requiredEnv('TRANSCODE_JOBS_TABLE'),
  mediaBucket: requiredEnv('MEDIA_BUCKET'),
  roleArn: requiredEnv('MEDIACONVERT_ROLE_ARN'),
  queueArn: requiredEnv('MEDIACONVERT_QUEUE_ARN'),
  tokenTtlSeconds: numberEnv('TASK_TOKEN_TTL_SECONDS', 24 * 60 * 60),
};
const template = loadJobTemplate();

/** Transcode state (lambda:invoke.waitForTaskToken): the execution waits until transcode-callback answers. */
export async function handler(input: SubmitTranscodeInput): Promise<SubmitTranscodeOutput> {
  const { assetId, publishId } = input;
  const correlationId = correlationIdFor(input.taskToken);
  const destinationPrefix = `s3://${config.mediaBucket}/assets/${assetId}/${publishId}/`;
  const { settings, renditions, trickplay } = buildJobSettings({
    template,
    sourceUri: `s3://${input.source.bucket}/${input.source.key}`,
    destinationPrefix,
    media: input.media,
  });

  const record = {
    correlationId,
    taskToken: input.taskToken,
    assetId,
    publishId,
    destinationPrefix,
    renditions,
    ...(input.media.hasAudio ? { audioLanguage: input.media.audioLanguage ?? 'und' } : {}),
    trickplay,
    templateVersion: TEMPLATE_VERSION,
    expiresAt: Math.floor(Date.now() / 1000) + config.tokenTtlSeconds,
  };
  await storeTaskToken(config.jobsTable, record);
  const jobId = await createTranscodeJob({
    settings,
    correlationId,
    roleArn: config.roleArn,
    queueArn: config.queueArn,
    assetId,
  });
  await storeJobId(config.jobsTable, { ...record, jobId });
  await recordTranscodeProgress({ table: config.catalogueTable, assetId, publishId, jobId, progress: 0 });

  logger.info('transcode job submitted', {
    assetId,
    publishId,
    jobId,
    correlationId,
    rungs: renditions.map((rendition) => rendition.name),
  });
  return { jobId, correlationId };
}
