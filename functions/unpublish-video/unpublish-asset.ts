import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { DeleteAssetCommand } from '@aws-sdk/client-mediapackage-vod';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { cloudFront } from '../commons/clients/cloudfront';
import { dynamo } from '../commons/clients/dynamo';
import { mediaPackageVod } from '../commons/clients/media-package-vod';
import { isAwsError } from '../commons/errors';
import { catalogueAssetOf, type CatalogueAsset } from '../commons/http/catalogue-asset';
import { assetFilesPrefixOf, playbackPrefixOf } from '../commons/http/playback-scope';
import { logger } from '../commons/logger';

/**
 * READY -> UNPUBLISHED, only if the record is still READY: no new cookie is signed from then on. The record, its
 * source and its playback fields stay for history. Undefined when the record was not READY any more.
 */
export async function markUnpublished(
  table: string,
  assetId: string,
  operator: string,
  now: Date,
): Promise<CatalogueAsset | undefined> {
  try {
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: table,
        Key: { assetId },
        ConditionExpression: '#status = :ready',
        UpdateExpression: 'SET #status = :unpublished, unpublishedAt = :now, unpublishedBy = :by, updatedAt = :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':ready': 'READY',
          ':unpublished': 'UNPUBLISHED',
          ':now': now.toISOString(),
          ':by': operator,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? catalogueAssetOf(Attributes) : undefined;
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) return undefined;
    throw error;
  }
}

/**
 * Removes what a still-valid cookie could fetch: the MediaPackage VOD asset (its egress paths answer 404 from
 * then on; already gone is fine) and the CDN's cached copies of the asset's paths. Safe to repeat, so a retried
 * unpublish finishes a previous attempt that failed half-way.
 */
export async function withdrawPlayback(asset: CatalogueAsset, distributionId: string): Promise<string[]> {
  if (asset.mediaPackageAssetId) {
    try {
      await mediaPackageVod.send(new DeleteAssetCommand({ Id: asset.mediaPackageAssetId }));
    } catch (error) {
      if (!isAwsError(error, 'NotFoundException')) throw error;
      logger.info('packaged asset already deleted', { assetId: asset.assetId });
    }
  }
  const playbackPrefix = asset.playback ? playbackPrefixOf(asset.playback) : undefined;
  const paths = [...(playbackPrefix ? [`${playbackPrefix}*`] : []), `${assetFilesPrefixOf(asset.assetId)}*`];
  await cloudFront.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: {
        // Unique per attempt: the same reference with the same paths would return the earlier invalidation.
        CallerReference: `unpublish-${asset.assetId}-${randomUUID()}`,
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
  );
  return paths;
}
