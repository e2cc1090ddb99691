import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../commons/clients/dynamo';
import type { UploadRequest } from './upload-request';

export interface PendingUpload {
  table: string;
  assetId: string;
  key: string;
  request: UploadRequest;
  uploadedBy: string;
  now: Date;
}

/**
 * The catalogue record exists before any byte can land, so the workflow's RecordAsset (an update) finds it and
 * keeps title, accessLevel and uploadedBy. The condition makes sure a new upload never overwrites an asset.
 */
export async function recordPendingUpload(pending: PendingUpload): Promise<void> {
  const now = pending.now.toISOString();
  await dynamo.send(
    new PutCommand({
      TableName: pending.table,
      Item: {
        assetId: pending.assetId,
        status: 'AWAITING_UPLOAD',
        title: pending.request.title,
        accessLevel: pending.request.accessLevel,
        uploadedBy: pending.uploadedBy,
        createdAt: now,
        updatedAt: now,
        upload: { key: pending.key, size: pending.request.size, contentType: pending.request.contentType },
      },
      ConditionExpression: 'attribute_not_exists(assetId)',
    }),
  );
}
