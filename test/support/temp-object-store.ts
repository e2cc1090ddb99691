import { createHash, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ObjectStore, PutOptions, StoredObject } from '../../local/seam/object-store';

/**
 * A small ObjectStore over a temporary folder (`<root>/<bucket>/<key>`), metadata in memory: enough for tests of
 * local services that read and write objects as files. It emits no events.
 */
export class TempObjectStore implements ObjectStore {
  private readonly objects = new Map<string, StoredObject>();

  private constructor(readonly root: string) {}

  static async create(): Promise<TempObjectStore> {
    return new TempObjectStore(await mkdtemp(path.join(tmpdir(), 'vodflow-store-')));
  }

  filePath(bucket: string, key: string): string {
    const file = path.resolve(this.root, bucket, key);
    if (!file.startsWith(path.resolve(this.root, bucket) + path.sep)) throw new Error(`key escapes the bucket: ${key}`);
    return file;
  }

  head(bucket: string, key: string): Promise<StoredObject | undefined> {
    return Promise.resolve(this.objects.get(`${bucket}/${key}`));
  }

  async putFile(bucket: string, key: string, file: string, options: PutOptions = {}): Promise<StoredObject> {
    const target = this.filePath(bucket, key);
    await mkdir(path.dirname(target), { recursive: true });
    if (options.move) await rename(file, target);
    else await copyFile(file, target);
    return this.record(bucket, key, await readFile(target), options);
  }

  async putBytes(bucket: string, key: string, body: Uint8Array, options: PutOptions = {}): Promise<StoredObject> {
    const target = this.filePath(bucket, key);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, body);
    return this.record(bucket, key, body, options);
  }

  list(bucket: string, prefix: string): Promise<StoredObject[]> {
    return Promise.resolve(
      [...this.objects.values()]
        .filter((object) => object.bucket === bucket && object.key.startsWith(prefix))
        .sort((a, b) => a.key.localeCompare(b.key)),
    );
  }

  async cleanup(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  private record(bucket: string, key: string, body: Uint8Array, options: PutOptions): StoredObject {
    const object: StoredObject = {
      bucket,
      key,
      size: body.byteLength,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      versionId: randomUUID().replace(/-/g, ''),
      contentType: options.contentType ?? 'application/octet-stream',
      lastModified: new Date().toISOString(),
    };
    this.objects.set(`${bucket}/${key}`, object);
    return object;
  }
}
