import { randomBytes } from 'node:crypto';

/** 128 random bits as 32 lowercase hex characters: unguessable, and a valid id in `uploads/<id>/<file>`. */
export function newAssetId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The object key of an upload: always under `uploads/<assetId>/`, with a file name reduced to characters that need
 * no encoding anywhere (S3 event keys, CloudFront paths, shells). start-publish reads the asset id back from it.
 */
export function uploadKeyFor(assetId: string, fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const extension = fileName.slice(dot + 1).toLowerCase();
  const stem =
    fileName
      .slice(0, dot)
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/\.{2,}/g, '.')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 100) || 'video';
  return `uploads/${assetId}/${stem}.${extension}`;
}
