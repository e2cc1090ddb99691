import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../commons/clients/s3';
import { PackagingMisconfigured } from './packaging-errors';

function s3Location(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match?.[1] || !match[2]) throw new PackagingMisconfigured(`${uri} is not an s3://bucket/key URI`);
  return { bucket: match[1], key: match[2] };
}

/**
 * Writes a small text file beside the transcode's outputs. Overwriting is safe: a retry or a redrive writes the
 * same bytes, so the step stays idempotent.
 */
export async function writeTextObject(uri: string, body: string, contentType: string): Promise<void> {
  const { bucket, key } = s3Location(uri);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}
