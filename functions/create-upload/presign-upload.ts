import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../commons/clients/s3';

const MiB = 1024 * 1024;
/** S3's floor for every part but the last. */
export const MIN_PART_BYTES = 5 * MiB;
/**
 * S3 allows 10,000 parts, but every part is a pre-signed URL (~1 KB) in one response and Lambda answers at most
 * 6 MB: a larger file gets larger parts instead of more of them.
 */
export const MAX_PARTS = 1000;

export interface UploadTarget {
  bucket: string;
  key: string;
  contentType: string;
  size: number;
  expiresInSeconds: number;
}

export interface SingleUpload {
  method: 'PUT';
  url: string;
  headers: { 'content-type': string };
  expiresAt: string;
}

export interface MultipartUpload {
  method: 'MULTIPART';
  uploadId: string;
  partSize: number;
  parts: { partNumber: number; size: number; url: string }[];
  /** POST the CompleteMultipartUpload XML (each part's number and the ETag its PUT returned) to this URL. */
  complete: { method: 'POST'; url: string; headers: { 'content-type': string } };
  /** DELETE this URL to give up: S3 discards the parts already sent. */
  abort: { method: 'DELETE'; url: string };
  expiresAt: string;
}

/**
 * One pre-signed PUT. Content-Type and Content-Length are signed, so the client can upload neither another type nor
 * a larger file than it declared.
 */
export async function presignSingleUpload(target: UploadTarget, now: Date): Promise<SingleUpload> {
  const url = await getSignedUrl(
    s3,
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      ContentType: target.contentType,
      ContentLength: target.size,
    }),
    { expiresIn: target.expiresInSeconds, signableHeaders: new Set(['content-type']) },
  );
  return {
    method: 'PUT',
    url,
    headers: { 'content-type': target.contentType },
    expiresAt: expiry(now, target.expiresInSeconds),
  };
}

/** The part size for a file: the configured size, grown (in whole MiB) when the file would need too many parts. */
export function partSizeFor(size: number, configuredPartBytes: number): number {
  const needed = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.max(configuredPartBytes, needed, MIN_PART_BYTES);
}

/**
 * S3 multipart, driven by the browser with pre-signed URLs only: the upload is created here, each part's PUT URL
 * binds its exact length (so the parts add up to the declared size), and complete/abort are pre-signed too, so the
 * object never passes through the API.
 */
export async function presignMultipartUpload(
  target: UploadTarget,
  configuredPartBytes: number,
  now: Date,
): Promise<MultipartUpload> {
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, ContentType: target.contentType }),
  );
  if (!UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
  const partSize = partSizeFor(target.size, configuredPartBytes);
  const count = Math.ceil(target.size / partSize);
  const options = { expiresIn: target.expiresInSeconds };
  const common = { Bucket: target.bucket, Key: target.key, UploadId };
  const parts = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const partNumber = index + 1;
      const size = Math.min(partSize, target.size - index * partSize);
      const url = await getSignedUrl(
        s3,
        new UploadPartCommand({ ...common, PartNumber: partNumber, ContentLength: size }),
        options,
      );
      return { partNumber, size, url };
    }),
  );
  return {
    method: 'MULTIPART',
    uploadId: UploadId,
    partSize,
    parts,
    complete: {
      method: 'POST',
      // The declared size is signed into the completion: S3 refuses to complete with parts that add up to another
      // (MpuObjectSize, https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).
      url: await getSignedUrl(
        s3,
        new CompleteMultipartUploadCommand({ ...common, MpuObjectSize: target.size }),
        options,
      ),
      headers: { 'content-type': 'application/xml' },
    },
    abort: { method: 'DELETE', url: await getSignedUrl(s3, new AbortMultipartUploadCommand(common), options) },
    expiresAt: expiry(now, target.expiresInSeconds),
  };
}

function expiry(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}
