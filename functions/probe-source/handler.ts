import { numberEnv } from '../commons/config';
import { SourceRejected } from '../commons/errors';
import { logger } from '../commons/logger';
import type { SourceMedia, SourceObject } from '../commons/types';
import { checkSourceSize, describeSourceMedia, type SourceLimits } from './describe-source-media';
import { probeMedia } from './probe-media';

export interface ProbeSourceInput {
  source: SourceObject;
}

const limits: SourceLimits = {
  maxDurationSeconds: numberEnv('MAX_SOURCE_DURATION_SECONDS', 4 * 60 * 60),
  maxBytes: numberEnv('MAX_SOURCE_BYTES', 50 * 1024 ** 3),
};

/** ProbeSource state: validates the upload. Throws SourceRejected (never retried) for input that cannot publish. */
export async function handler(input: ProbeSourceInput): Promise<SourceMedia> {
  const { bucket, key, size } = input.source;
  try {
    checkSourceSize(size, limits);
    const media = describeSourceMedia(await probeMedia(`s3://${bucket}/${key}`), limits);
    logger.info('source probed', { bucket, key, ...media });
    return media;
  } catch (error) {
    if (error instanceof SourceRejected) {
      logger.warn('source rejected', { bucket, key, reason: error.reason, explanation: error.message });
    }
    throw error;
  }
}
