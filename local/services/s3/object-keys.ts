import { s3Errors } from './s3-errors';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html (a key is at most 1,024 bytes of UTF-8)
const MAX_KEY_BYTES = 1024;
/** Most filesystems refuse longer file names; a segment is one path component of the key. */
const MAX_SEGMENT_BYTES = 255;

export function assertBucketName(name: string): void {
  if (!BUCKET_NAME.test(name) || name.includes('..')) {
    throw new Error(`local S3: ${JSON.stringify(name)} is not a valid bucket name`);
  }
}

/**
 * Checks that a key can be stored as a file under its bucket's folder without escaping it or colliding with
 * another key: S3 itself accepts `..`, `//` and NUL in keys, the local store refuses them with InvalidArgument.
 * A trailing `/` (a console "folder") is allowed.
 */
export function assertStorableKey(key: string): void {
  if (key === '') throw s3Errors.invalidArgument('The object key is empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw s3Errors.keyTooLong();
  const refuse = (why: string) => s3Errors.invalidArgument(`local S3 cannot store key ${JSON.stringify(key)}: ${why}`);
  if (key.includes('\0')) throw refuse('it contains NUL');
  if (key.startsWith('/')) throw refuse('it is an absolute path');
  const segments = key.split('/');
  if (segments.at(-1) === '') segments.pop();
  for (const segment of segments) {
    if (segment === '') throw refuse('it has an empty path segment (//)');
    if (segment === '.' || segment === '..') throw refuse(`it has a "${segment}" path segment`);
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) throw refuse('a path segment is over 255 bytes');
  }
}

/** True for a zero-or-more-byte "folder" placeholder such as `uploads/`. */
export function isFolderKey(key: string): boolean {
  return key.endsWith('/');
}

/**
 * The key as S3 puts it in event notifications: form-encoded (space as `+`, everything but `A-Za-z0-9-_.*` and `/`
 * percent-encoded as UTF-8), which start-publish's parser decodes.
 */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');
}
