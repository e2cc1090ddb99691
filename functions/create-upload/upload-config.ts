import { listEnv, numberEnv, requiredEnv } from '../commons/config';
import { MissingConfiguration } from '../commons/errors';
import { MIN_PART_BYTES } from './presign-upload';
import { VIDEO_TYPES, type UploadPolicy } from './upload-request';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** S3's limit for one PUT, and for one part. */
const MAX_SINGLE_PUT_BYTES = 5 * GiB;

export interface UploadConfig {
  table: string;
  bucket: string;
  urlTtlSeconds: number;
  multipartThresholdBytes: number;
  partBytes: number;
  policy: UploadPolicy;
}

/** Read once at cold start; a value S3 would refuse later is refused here, where the deploy shows it. */
export function readUploadConfig(): UploadConfig {
  const multipartThresholdBytes = wholeNumber('MULTIPART_THRESHOLD_BYTES', 100 * MiB);
  const partBytes = wholeNumber('MULTIPART_PART_BYTES', 64 * MiB);
  if (multipartThresholdBytes > MAX_SINGLE_PUT_BYTES) {
    throw new MissingConfiguration('MULTIPART_THRESHOLD_BYTES must be at most 5 GiB (the largest single PUT)');
  }
  if (partBytes < MIN_PART_BYTES || partBytes > MAX_SINGLE_PUT_BYTES) {
    throw new MissingConfiguration('MULTIPART_PART_BYTES must be between 5 MiB and 5 GiB');
  }
  const contentTypes = listEnv('UPLOAD_CONTENT_TYPES', Object.keys(VIDEO_TYPES)).map((type) => type.toLowerCase());
  const unknown = contentTypes.filter((type) => !(type in VIDEO_TYPES));
  if (unknown.length > 0) {
    throw new MissingConfiguration(
      `UPLOAD_CONTENT_TYPES may only list ${Object.keys(VIDEO_TYPES).join(', ')}; got ${unknown.join(', ')}`,
    );
  }
  const accessLevels = listEnv('ACCESS_LEVELS', []);
  return {
    table: requiredEnv('CATALOGUE_TABLE'),
    bucket: requiredEnv('SOURCE_BUCKET'),
    urlTtlSeconds: wholeNumber('UPLOAD_URL_TTL_SECONDS', 900),
    multipartThresholdBytes,
    partBytes,
    policy: {
      maxBytes: wholeNumber('UPLOAD_MAX_BYTES', 50 * GiB),
      contentTypes,
      ...(accessLevels.length > 0 ? { accessLevels } : {}),
    },
  };
}

function wholeNumber(name: string, fallback: number): number {
  const value = numberEnv(name, fallback);
  if (!Number.isSafeInteger(value)) throw new MissingConfiguration(`${name} must be a whole number`);
  return value;
}
