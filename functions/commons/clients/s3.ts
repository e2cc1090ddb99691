import { S3Client } from '@aws-sdk/client-s3';

/**
 * Built once per container. Checksums only when an operation requires one: otherwise the SDK puts the CRC32 of an
 * empty body into every pre-signed PutObject/UploadPart URL, and S3 refuses the real upload.
 */
export const s3 = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
