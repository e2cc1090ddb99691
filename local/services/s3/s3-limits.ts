import { s3Errors } from './s3-errors';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html (multipart upload limits)
/** Every part but the last must be at least this big (checked at CompleteMultipartUpload: EntityTooSmall). */
export const MIN_PART_BYTES = 5 * MiB;
/** A part is at most 5 GiB. */
export const MAX_PART_BYTES = 5 * GiB;
/** Part numbers run from 1 to 10,000, so an upload has at most 10,000 parts. */
export const MAX_PART_NUMBER = 10_000;
/** An object is at most 5 TiB. */
export const MAX_OBJECT_BYTES = 5 * 1024 * GiB;
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html
/** One PutObject uploads at most 5 GiB; bigger objects need a multipart upload. */
export const MAX_PUT_OBJECT_BYTES = 5 * GiB;
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html
/** User-defined metadata: at most 2 KB, the UTF-8 bytes of every name and value summed. */
export const MAX_USER_METADATA_BYTES = 2 * 1024;

/** Refuses a body announced (or found, while it arrives) bigger than `limit` with EntityTooLarge, as S3 does. */
export function assertNotTooLarge(size: number | undefined, limit: number): void {
  if (size !== undefined && size > limit) throw s3Errors.entityTooLarge(size, limit);
}

/** Refuses a part number outside 1..10,000 with InvalidArgument, as S3 does. */
export function assertPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw s3Errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive');
  }
}

/** Refuses user metadata over 2 KB (names and values, UTF-8) with MetadataTooLarge. */
export function assertUserMetadataSize(metadata: Record<string, string>): void {
  const size = Object.entries(metadata).reduce(
    (total, [name, value]) => total + Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8'),
    0,
  );
  if (size > MAX_USER_METADATA_BYTES) throw s3Errors.metadataTooLarge(size);
}
