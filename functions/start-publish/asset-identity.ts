import { createHash } from 'node:crypto';
import type { PublishRequest, SourceObject } from '../commons/types';

/** The id the upload API puts in `uploads/<id>/<file>`; the same rule keeps it safe in an execution name. */
const UPLOAD_KEY = /^uploads\/([A-Za-z0-9_-]{8,40})\/[^/]+$/;

/**
 * The asset an object belongs to. Uploads through the API carry their id in the key; any other object (bulk copy,
 * CLI upload) gets an id derived from bucket and key, so uploading the same key again republishes the same asset.
 */
export function assetIdFor(bucket: string, key: string): string {
  const fromUpload = UPLOAD_KEY.exec(key)?.[1];
  return fromUpload ?? `a${sha256(`${bucket}/${key}`).slice(0, 24)}`;
}

/**
 * The execution name, unique per object version: a duplicate event for the same version gives the same name, so
 * Step Functions refuses to start it twice. At most 57 characters of `0-9A-Za-z-_` (the limit is 80).
 */
export function publishIdFor(
  assetId: string,
  source: Pick<SourceObject, 'bucket' | 'key' | 'versionId' | 'etag'>,
): string {
  const version = source.versionId !== '' ? source.versionId : source.etag;
  return `${assetId}-${sha256(`${source.bucket}\n${source.key}\n${version}`).slice(0, 16)}`;
}

/** The execution input for one uploaded object version. */
export function publishRequestFor(source: SourceObject): PublishRequest {
  const assetId = assetIdFor(source.bucket, source.key);
  return {
    assetId,
    publishId: publishIdFor(assetId, source),
    source: {
      bucket: source.bucket,
      key: source.key,
      versionId: source.versionId,
      etag: source.etag,
      size: source.size,
    },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
