import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../commons/clients/dynamo';
import type { UploadRequest } from './upload-request';

/** How long after its upload URLs expire an asset whose bytes never arrived stays in the catalogue. */
export const ABANDONED_UPLOAD_GRACE_SECONDS = 24 * 60 * 60;

export interface PendingUpload {
  table: string;
  assetId: string;
  key: string;
  request: UploadRequest;
  uploadedBy: string;
  now: Date;
  /** After this, a record whose upload never arrived is deleted by the table's TTL. */
  abandonAfterSeconds: number;
}

/**
 * The catalogue record exists before any byte can land, so the workflow's RecordAsset (an update) finds it and
 * keeps title, accessLevel and uploadedBy. The condition makes sure a new upload never overwrites an asset.
 * `expiresAt` (the table's TTL attribute) removes the record if the upload never arrives; the workflow's first
 * write of the record (RecordAsset, or RecordRejection / RecordFailure) removes `expiresAt`, so no asset that was
 * uploaded ever expires.
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
        expiresAt: Math.floor(pending.now.getTime() / 1000) + pending.abandonAfterSeconds,
      },
      ConditionExpression: 'attribute_not_exists(assetId)',
    }),
  );
}
