import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StoredObject } from '../../seam/object-store';
import { writeJsonAtomically } from './atomic-files';
import type { StorageLayout } from './storage-layout';

/** What the metadata file of one object records: the ObjectStore's view plus user metadata. */
export interface ObjectRecord extends StoredObject {
  metadata: Record<string, string>;
}

/**
 * The metadata of every object, kept in memory for listing and written through to one JSON file per object, so
 * a restarted local S3 knows its objects again.
 */
export class ObjectIndex {
  private readonly buckets = new Map<string, Map<string, ObjectRecord>>();

  constructor(
    private readonly layout: StorageLayout,
    bucketNames: readonly string[],
  ) {
    for (const name of bucketNames) this.buckets.set(name, new Map());
  }

  async load(): Promise<void> {
    for (const [bucket, records] of this.buckets) {
      const dir = this.layout.metaDir(bucket);
      const files = await readdir(dir).catch((error: unknown) => {
        if (isNotFound(error)) return [];
        throw error;
      });
      for (const file of files.filter((name) => name.endsWith('.json'))) {
        const record = parseRecord(await readFile(path.join(dir, file), 'utf8'), bucket);
        if (record) records.set(record.key, record);
      }
    }
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  get(bucket: string, key: string): ObjectRecord | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  async save(record: ObjectRecord): Promise<void> {
    await writeJsonAtomically(this.layout.metaFile(record.bucket, record.key), record);
    this.buckets.get(record.bucket)?.set(record.key, record);
  }

  async remove(bucket: string, key: string): Promise<void> {
    this.buckets.get(bucket)?.delete(key);
    await rm(this.layout.metaFile(bucket, key), { force: true });
  }

  /** Records of one bucket whose key starts with prefix, in S3's order (UTF-8 bytes). */
  list(bucket: string, prefix = ''): ObjectRecord[] {
    const records = [...(this.buckets.get(bucket)?.values() ?? [])].filter((record) => record.key.startsWith(prefix));
    return records.sort((a, b) => compareKeys(a.key, b.key));
  }
}

export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function parseRecord(text: string, bucket: string): ObjectRecord | undefined {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<ObjectRecord>;
  if (record.bucket !== bucket || typeof record.key !== 'string' || typeof record.etag !== 'string') return undefined;
  return {
    bucket,
    key: record.key,
    size: Number(record.size),
    etag: record.etag,
    versionId: typeof record.versionId === 'string' ? record.versionId : '',
    contentType: typeof record.contentType === 'string' ? record.contentType : 'binary/octet-stream',
    lastModified: typeof record.lastModified === 'string' ? record.lastModified : new Date(0).toISOString(),
    metadata: record.metadata ?? {},
  };
}

/** Checked by code, not instanceof: errors from node:fs may come from another realm (jest's sandbox). */
export function isNotFound(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
