import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './clients/dynamo';
import { isAwsError } from './errors';
import { logger } from './logger';

export interface TranscodeProgress {
  table: string;
  assetId: string;
  publishId: string;
  jobId: string;
  progress: number;
}

/**
 * Writes the transcode state of the catalogue record. Only the publish that owns the record may write it, so a
 * stale job of an older upload never moves a newer one backwards; that case is logged and ignored.
 */
export async function recordTranscodeProgress(update: TranscodeProgress): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: update.table,
        Key: { assetId: update.assetId },
        ConditionExpression: 'publishId = :publishId',
        UpdateExpression: 'SET #status = :status, job = :job, updatedAt = :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':publishId': update.publishId,
          ':status': 'TRANSCODING',
          ':job': { id: update.jobId, progress: update.progress },
          ':now': new Date().toISOString(),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) {
      logger.info('catalogue record belongs to another publish, progress not written', {
        assetId: update.assetId,
        publishId: update.publishId,
      });
      return false;
    }
    throw error;
  }
}
