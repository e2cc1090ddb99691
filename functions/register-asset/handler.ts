import { numberEnv, requiredEnv } from '../commons/config';
import { logger } from '../commons/logger';
import type { PackagingResult, TranscodeResult } from '../commons/types';
import { describePlayback } from './playback-urls';
import { findOrCreateAsset, waitUntilPlayable } from './register-packaged-asset';
import { smilBesideMp4s } from './smil-manifest';
import { thumbnailTrack } from './thumbnail-track';
import { writeTextObject } from './write-source-files';

export interface RegisterAssetInput {
  assetId: string;
  publishId: string;
  transcode: Pick<TranscodeResult, 'mp4Files' | 'audioLanguage' | 'poster' | 'trickplay' | 'durationSeconds'>;
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

/**
 * RegisterAsset state: writes the .smil that lists the MP4 renditions (MediaPackage VOD's MP4 source) and the
 * WebVTT track over the trick-play captures, registers the .smil with MediaPackage VOD and returns CDN URLs.
 */
export async function handler(input: RegisterAssetInput): Promise<PackagingResult> {
  const id = input.publishId;
  const manifest = smilBesideMp4s(input.transcode.mp4Files, input.transcode.audioLanguage);
  const track = thumbnailTrack(input.transcode.trickplay, input.transcode.durationSeconds);
  await writeTextObject(manifest.uri, manifest.body, 'application/smil+xml');
  await writeTextObject(track.uri, track.body, 'text/vtt');
  const created = await findOrCreateAsset({
    id,
    assetId: input.assetId,
    packagingGroupId: config.packagingGroupId,
    sourceArn: s3ArnOf(manifest.uri),
    sourceRoleArn: config.sourceRoleArn,
  });
  const endpoints = await waitUntilPlayable(id, created, { budgetMs: config.waitBudgetMs, pollMs: 3000 });
  const result = describePlayback(
    {
      assetId: input.assetId,
      mediaPackageAssetId: id,
      poster: input.transcode.poster,
      trickplay: track.uri,
    },
    endpoints,
    config.playback,
  );
  logger.info('asset registered', { assetId: input.assetId, mediaPackageAssetId: id, playback: result.playback });
  return result;
}
