import { InvalidEvent } from '../commons/errors';
import type { SourceObject } from '../commons/types';

/** What an S3 "Object Created" event says about the new object: the source, or a folder placeholder to ignore. */
export type CreatedObject = { kind: 'source'; source: SourceObject } | { kind: 'folder'; bucket: string; key: string };

/**
 * Reads an EventBridge S3 "Object Created" event. Anything else is a wiring mistake (wrong rule or target), so it
 * throws InvalidEvent instead of starting a workflow on a guess.
 */
export function parseObjectCreated(event: unknown): CreatedObject {
  if (!isRecord(event) || !isRecord(event.detail)) throw new InvalidEvent('not an EventBridge event: no detail');
  const detailType = event['detail-type'];
  if (detailType !== undefined && detailType !== 'Object Created') {
    throw new InvalidEvent(`expected an S3 "Object Created" event, got ${JSON.stringify(detailType)}`);
  }
  const { bucket, object } = event.detail;
  const bucketName = isRecord(bucket) ? bucket.name : undefined;
  if (typeof bucketName !== 'string' || bucketName === '') throw new InvalidEvent('event has no detail.bucket.name');
  if (!isRecord(object) || typeof object.key !== 'string' || object.key === '') {
    throw new InvalidEvent('event has no detail.object.key');
  }

  const key = decodeObjectKey(object.key);
  if (key.endsWith('/')) return { kind: 'folder', bucket: bucketName, key };

  const { size, etag } = object;
  const versionId = object['version-id'];
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
    throw new InvalidEvent('event has no valid detail.object.size');
  }
  if (typeof etag !== 'string' || etag === '') throw new InvalidEvent('event has no detail.object.etag');
  if (versionId !== undefined && typeof versionId !== 'string') {
    throw new InvalidEvent('detail.object.version-id is not a string');
  }

  return {
    kind: 'source',
    source: {
      bucket: bucketName,
      key,
      // '' for an unversioned bucket: the catalogue write is a direct DynamoDB integration and needs a string.
      versionId: versionId ?? '',
      etag: etag.replace(/^"|"$/g, ''),
      size,
    },
  };
}

/** S3 notifications carry the key form-encoded: `+` is a space, and a real `+` arrives as `%2B`. */
export function decodeObjectKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new InvalidEvent('detail.object.key is not a valid URL-encoded key');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
