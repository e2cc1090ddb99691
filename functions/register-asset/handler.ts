import { numberEnv, requiredEnv } from '../commons/config';
import { logger } from '../commons/logger';
import type { PackagingResult, TranscodeResult } from '../commons/types';
import { describePlayback } from './playback-urls';
import { findOrCreateAsset, waitUntilPlayable } from './register-packaged-asset';

export interface RegisterAssetInput {
  assetId: string;
  publishId: string;
  transcode: Pick<TranscodeResult, 'hlsManifest' | 'poster' | 'trickplay'>;
}

const config = {
  packagingGroupId: requiredEnv('PACKAGING_GROUP_ID'),
  sourceRoleArn: requiredEnv('MEDIAPACKAGE_SOURCE_ROLE_ARN'),
  playback: {
    cdnBaseUrl: requiredEnv('CDN_BASE_URL').replace(/\/+$/, ''),
    mediaBucket: requiredEnv('MEDIA_BUCKET'),
    hlsConfigurationId: requiredEnv('HLS_PACKAGING_CONFIGURATION_ID'),
    dashConfigurationId: requiredEnv('DASH_PACKAGING_CONFIGURATION_ID'),
  },
  waitBudgetMs: numberEnv('PLAYABLE_WAIT_SECONDS', 40) * 1000,
};

/** s3://bucket/key -> arn:aws:s3:::bucket/key, the form MediaPackage VOD takes as an asset source. */
function s3ArnOf(uri: string): string {
  return `arn:aws:s3:::${uri.replace(/^s3:\/\//, '')}`;
}

/** RegisterAsset state: registers the CMAF HLS master with MediaPackage VOD and returns CDN playback URLs. */
export async function handler(input: RegisterAssetInput): Promise<PackagingResult> {
  const id = input.publishId;
  const created = await findOrCreateAsset({
    id,
    assetId: input.assetId,
    packagingGroupId: config.packagingGroupId,
    sourceArn: s3ArnOf(input.transcode.hlsManifest),
    sourceRoleArn: config.sourceRoleArn,
  });
  const endpoints = await waitUntilPlayable(id, created, { budgetMs: config.waitBudgetMs, pollMs: 3000 });
  const result = describePlayback(
    {
      assetId: input.assetId,
      mediaPackageAssetId: id,
      poster: input.transcode.poster,
      trickplay: input.transcode.trickplay,
    },
    endpoints,
    config.playback,
  );
  logger.info('asset registered', { assetId: input.assetId, mediaPackageAssetId: id, playback: result.playback });
  return result;
}
