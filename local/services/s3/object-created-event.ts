import { randomBytes } from 'node:crypto';
import { eventBridgeEvent, LOCAL_ACCOUNT, type LocalEvent } from '../../seam/local-events';
import { encodeEventKey } from './object-keys';
import type { StoredObject } from '../../seam/object-store';

export type CreationReason = 'PutObject' | 'CompleteMultipartUpload' | 'CopyObject';

/**
 * The EventBridge "Object Created" event S3 sends for a bucket with EventBridge notifications on (see
 * events/s3/object-created.json): the key form-encoded, the ETag unquoted, `version-id` only on a versioned bucket.
 */
export function objectCreatedEvent(object: StoredObject, reason: CreationReason, sequencer: string): LocalEvent {
  const detail = {
    version: '0',
    bucket: { name: object.bucket },
    object: {
      key: encodeEventKey(object.key),
      size: object.size,
      etag: object.etag.replace(/^"|"$/g, ''),
      ...(object.versionId !== '' ? { 'version-id': object.versionId } : {}),
      sequencer,
    },
    'request-id': randomBytes(8).toString('hex').toUpperCase(),
    requester: LOCAL_ACCOUNT,
    'source-ip-address': '127.0.0.1',
    reason,
  };
  return eventBridgeEvent('aws.s3', 'Object Created', detail, [`arn:aws:s3:::${object.bucket}`]);
}

/**
 * S3's sequencer: hex, and for one key a later event has a greater value (compared as hex strings after padding).
 * Time in microseconds plus a counter keeps that true within one process and across restarts.
 */
export function sequencerSource(): () => string {
  let last = 0n;
  return () => {
    const now = BigInt(Date.now()) * 1000n;
    last = now > last ? now : last + 1n;
    return last.toString(16).toUpperCase().padStart(18, '0');
  };
}
