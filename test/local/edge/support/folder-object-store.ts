import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { ObjectStore, PutOptions, StoredObject } from '../../../../local/seam/object-store';

/** A minimal ObjectStore over a folder (<root>/<bucket>/<key>), so these tests do not depend on the local S3. */
export class FolderObjectStore implements ObjectStore {
  private readonly types = new Map<string, string>();

  constructor(private readonly root: string) {}

  filePath(bucket: string, key: string): string {
    return join(this.root, bucket, key);
  }

  async head(bucket: string, key: string): Promise<StoredObject | undefined> {
    const path = this.filePath(bucket, key);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const etag = `"${createHash('md5')
      .update(await readFile(path))
      .digest('hex')}"`;
    return {
      bucket,
      key,
      size: info.size,
      etag,
      versionId: '',
      contentType: this.types.get(`${bucket}/${key}`) ?? 'application/octet-stream',
      lastModified: info.mtime.toISOString(),
    };
  }

  async putFile(bucket: string, key: string, file: string, options: PutOptions = {}): Promise<StoredObject> {
    await mkdir(dirname(this.filePath(bucket, key)), { recursive: true });
    await copyFile(file, this.filePath(bucket, key));
    return this.recorded(bucket, key, options);
  }

  async putBytes(bucket: string, key: string, body: Uint8Array, options: PutOptions = {}): Promise<StoredObject> {
    await mkdir(dirname(this.filePath(bucket, key)), { recursive: true });
    await writeFile(this.filePath(bucket, key), body);
    return this.recorded(bucket, key, options);
  }

  async list(bucket: string, prefix: string): Promise<StoredObject[]> {
    const base = join(this.root, bucket);
    const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
    const keys = entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(base, join(entry.parentPath, entry.name)).split('\\').join('/'))
      .filter((key) => key.startsWith(prefix))
      .sort();
    const objects = await Promise.all(keys.map((key) => this.head(bucket, key)));
    return objects.filter((object): object is StoredObject => object !== undefined);
  }

  private async recorded(bucket: string, key: string, options: PutOptions): Promise<StoredObject> {
    if (options.contentType) this.types.set(`${bucket}/${key}`, options.contentType);
    const object = await this.head(bucket, key);
    if (!object) throw new Error(`could not write ${bucket}/${key}`);
    return object;
  }
}
