/** One object of the local S3, as its metadata file records it. */
export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  /** Quoted, as S3 returns it: `"<md5 hex>"`. */
  etag: string;
  versionId: string;
  contentType: string;
  lastModified: string;
}

export interface PutOptions {
  contentType?: string;
  /** Move the file into the store (same filesystem: a rename) instead of copying it. */
  move?: boolean;
}

/**
 * The local S3's storage, shared by the services that read or write objects as files (MediaConvert reads sources
 * and writes outputs, MediaPackage and the edge serve them). Writing through it records metadata and emits
 * "Object Created" for buckets that have EventBridge notifications on, exactly like a PutObject.
 */
export interface ObjectStore {
  /** Absolute path where the object's bytes live (whether or not the object exists). */
  filePath(bucket: string, key: string): string;
  head(bucket: string, key: string): Promise<StoredObject | undefined>;
  putFile(bucket: string, key: string, file: string, options?: PutOptions): Promise<StoredObject>;
  putBytes(bucket: string, key: string, body: Uint8Array, options?: PutOptions): Promise<StoredObject>;
  /** Objects whose key starts with prefix, sorted by key. */
  list(bucket: string, prefix: string): Promise<StoredObject[]>;
}
