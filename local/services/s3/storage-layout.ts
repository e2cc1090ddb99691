import { createHash } from 'node:crypto';
import path from 'node:path';
import { isFolderKey } from './object-keys';

/**
 * Where the local S3 keeps things under the data folder:
 *   s3/<bucket>/<key>              object bytes, so other local services can read an object as a plain file
 *   s3-folders/<bucket>/<sha256>   bytes of "folder" keys ending in `/` (a path cannot be both file and folder)
 *   s3-meta/<bucket>/<sha256>.json metadata, named by a hash of the key so no key can collide with another's file
 *   s3-uploads/<uploadId>/         multipart uploads in progress: upload.json, part-NNNNN and its .json
 *   s3-tmp/                        bodies being received; renamed into place only once complete and verified
 */
export class StorageLayout {
  constructor(readonly dataDir: string) {}

  get tempDir(): string {
    return path.join(this.dataDir, 's3-tmp');
  }

  bucketDir(bucket: string): string {
    return path.join(this.dataDir, 's3', bucket);
  }

  metaDir(bucket: string): string {
    return path.join(this.dataDir, 's3-meta', bucket);
  }

  objectFile(bucket: string, key: string): string {
    if (isFolderKey(key)) return path.join(this.dataDir, 's3-folders', bucket, keyHash(key));
    const root = this.bucketDir(bucket);
    const file = path.join(root, ...key.split('/'));
    // Keys are checked before they get here; this guards against a check being skipped.
    if (!file.startsWith(root + path.sep)) throw new Error(`key escapes its bucket folder: ${key}`);
    return file;
  }

  metaFile(bucket: string, key: string): string {
    return path.join(this.metaDir(bucket), `${keyHash(key)}.json`);
  }

  get uploadsDir(): string {
    return path.join(this.dataDir, 's3-uploads');
  }

  uploadDir(uploadId: string): string {
    return path.join(this.uploadsDir, uploadId);
  }
}

function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
