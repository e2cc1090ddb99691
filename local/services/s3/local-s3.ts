import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  AbortMultipartUploadCommandOutput,
  CompleteMultipartUploadCommandOutput,
  CopyObjectCommandOutput,
  CreateMultipartUploadCommandOutput,
  DeleteObjectCommandOutput,
  GetObjectCommandOutput,
  HeadObjectCommandOutput,
  ListObjectsV2CommandOutput,
  ListPartsCommandOutput,
  PutObjectCommandOutput,
  UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import type { PublishEvent } from '../../seam/local-events';
import { unsupportedCommand, type CommandInput, type CommandOutput, type LocalService } from '../../seam/local-service';
import type { ObjectStore, PutOptions, StoredObject } from '../../seam/object-store';
import { pruneEmptyFolders } from './atomic-files';
import { parseByteRange } from './byte-range';
import { CHECKSUM_ALGORITHMS, expectedBase64Digest, type ExpectedDigest } from './checksums';
import { CommandFields } from './command-input';
import { KeyedLock } from './keyed-lock';
import { listObjectsPage } from './list-objects';
import { MultipartUploads } from './multipart-uploads';
import { objectCreatedEvent, sequencerSource, type CreationReason } from './object-created-event';
import { ObjectIndex, errorCode, isNotFound, type ObjectRecord } from './object-index';
import { assertBucketName, assertStorableKey } from './object-keys';
import { s3Errors } from './s3-errors';
import {
  MAX_OBJECT_BYTES,
  MAX_PART_BYTES,
  MAX_PUT_OBJECT_BYTES,
  MIN_PART_BYTES,
  assertNotTooLarge,
  assertPartNumber,
  assertUserMetadataSize,
} from './s3-limits';
import { StorageLayout } from './storage-layout';
import { writeTempFile, type TempFile } from './write-temp-file';

export interface LocalBucket {
  name: string;
  /** Sends EventBridge "Object Created" for every object created, like `NotificationConfiguration.EventBridgeConfiguration`. */
  eventBridge?: boolean;
  /** Gives every object version an id (only the current version is kept). */
  versioned?: boolean;
}

export interface LocalS3Options {
  dataDir: string;
  buckets: LocalBucket[];
  publish: PublishEvent;
}

const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const MAX_KEYS = 1000;

type Output<T> = Omit<T, '$metadata'>;
/** A complete body in the temp folder; its ETag is its MD5 unless given (multipart). */
type ReceivedFile = { path: string; size: number } & ({ md5: Buffer; etag?: undefined } | { etag: string });

interface ObjectProperties {
  contentType: string;
  metadata: Record<string, string>;
}

/**
 * S3 on the local disk: the API commands the functions and the state machine send (through the seam), and the
 * ObjectStore the other local services use to read and write objects as files. Bytes are received into a temp
 * file and renamed into place, so a failed or aborted upload never damages the object already under its key.
 */
export class LocalS3 implements LocalService, ObjectStore {
  readonly service = 'S3' as const;
  private readonly layout: StorageLayout;
  private readonly buckets: Map<string, LocalBucket>;
  private readonly index: ObjectIndex;
  private readonly uploads: MultipartUploads;
  private readonly locks = new KeyedLock();
  private readonly nextSequencer = sequencerSource();
  private readonly publish: PublishEvent;
  private loading: Promise<void> | undefined;

  constructor(options: LocalS3Options) {
    for (const bucket of options.buckets) assertBucketName(bucket.name);
    this.layout = new StorageLayout(path.resolve(options.dataDir));
    this.buckets = new Map(options.buckets.map((bucket) => [bucket.name, bucket]));
    this.index = new ObjectIndex(this.layout, [...this.buckets.keys()]);
    this.uploads = new MultipartUploads(this.layout);
    this.publish = options.publish;
  }

  async handle(command: string, input: CommandInput): Promise<CommandOutput> {
    await this.ready();
    const fields = new CommandFields(input);
    switch (command) {
      case 'PutObject':
        return this.putObject(fields);
      case 'GetObject':
        return this.getObject(fields);
      case 'HeadObject':
        return this.headObject(fields);
      case 'DeleteObject':
        return this.deleteObject(fields);
      case 'CopyObject':
        return this.copyObject(fields);
      case 'ListObjectsV2':
        return this.listObjectsV2(fields);
      case 'CreateMultipartUpload':
        return this.createMultipartUpload(fields);
      case 'UploadPart':
        return this.uploadPart(fields);
      case 'CompleteMultipartUpload':
        return this.completeMultipartUpload(fields, input);
      case 'AbortMultipartUpload':
        return this.abortMultipartUpload(fields);
      case 'ListParts':
        return this.listParts(fields);
      default:
        throw unsupportedCommand('S3', command);
    }
  }

  // ---- ObjectStore ----

  filePath(bucket: string, key: string): string {
    this.bucket(bucket);
    assertStorableKey(key);
    return this.layout.objectFile(bucket, key);
  }

  async head(bucket: string, key: string): Promise<StoredObject | undefined> {
    await this.ready();
    this.bucket(bucket);
    const record = this.index.get(bucket, key);
    return record && storedObject(record);
  }

  async putFile(bucket: string, key: string, file: string, options: PutOptions = {}): Promise<StoredObject> {
    await this.ready();
    this.bucket(bucket);
    assertStorableKey(key);
    const temp = options.move === true ? await this.moveToTemp(file) : await this.receive(createReadStream(file));
    const record = await this.commit(bucket, key, temp, this.properties(options.contentType), 'PutObject');
    return storedObject(record);
  }

  async putBytes(bucket: string, key: string, body: Uint8Array, options: PutOptions = {}): Promise<StoredObject> {
    await this.ready();
    this.bucket(bucket);
    assertStorableKey(key);
    const temp = await this.receive(Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]));
    const record = await this.commit(bucket, key, temp, this.properties(options.contentType), 'PutObject');
    return storedObject(record);
  }

  async list(bucket: string, prefix: string): Promise<StoredObject[]> {
    await this.ready();
    this.bucket(bucket);
    return this.index.list(bucket, prefix).map(storedObject);
  }

  // ---- commands ----

  private async putObject(fields: CommandFields): Promise<CommandOutput> {
    const { bucket, key } = this.target(fields);
    const metadata = userMetadata(fields);
    const temp = await this.receive(fields.body(), fields, MAX_PUT_OBJECT_BYTES);
    const properties = { contentType: fields.optionalString('ContentType') ?? DEFAULT_CONTENT_TYPE, metadata };
    const record = await this.commit(bucket, key, temp, properties, 'PutObject');
    return { ETag: record.etag, ...versionOf(record) } satisfies Output<PutObjectCommandOutput>;
  }

  private getObject(fields: CommandFields): CommandOutput {
    const { bucket, key } = this.target(fields);
    const record = this.current(bucket, key, fields.optionalString('VersionId'));
    const range = parseByteRange(fields.optionalString('Range'), record.size);
    const file = this.layout.objectFile(bucket, key);
    const stream = createReadStream(file, range ? { start: range.start, end: range.end } : {});
    const output = {
      ...objectHeaders(record),
      Body: sdkStreamMixin(stream),
      ContentType: fields.optionalString('ResponseContentType') ?? record.contentType,
      ...optional('ContentDisposition', fields.optionalString('ResponseContentDisposition')),
      ...optional('CacheControl', fields.optionalString('ResponseCacheControl')),
      ...(range
        ? {
            ContentLength: range.end - range.start + 1,
            ContentRange: `bytes ${range.start}-${range.end}/${record.size}`,
          }
        : {}),
    } satisfies Output<GetObjectCommandOutput>;
    return output;
  }

  private headObject(fields: CommandFields): CommandOutput {
    const bucket = fields.string('Bucket');
    const key = fields.string('Key');
    const record = this.buckets.has(bucket) ? this.index.get(bucket, key) : undefined;
    if (!record) throw s3Errors.notFound();
    const versionId = fields.optionalString('VersionId');
    if (versionId !== undefined && versionId !== currentVersionName(record)) throw s3Errors.notFound();
    return objectHeaders(record) satisfies Output<HeadObjectCommandOutput>;
  }

  private async deleteObject(fields: CommandFields): Promise<CommandOutput> {
    const { bucket, key } = this.target(fields);
    await this.locks.run(`${bucket}/${key}`, async () => {
      if (!this.index.get(bucket, key)) return; // deleting a missing key succeeds, as in S3
      const file = this.layout.objectFile(bucket, key);
      await this.index.remove(bucket, key);
      await rm(file, { force: true });
      await pruneEmptyFolders(file, this.layout.bucketDir(bucket));
    });
    return {} satisfies Output<DeleteObjectCommandOutput>;
  }

  private async copyObject(fields: CommandFields): Promise<CommandOutput> {
    const { bucket, key } = this.target(fields);
    const source = parseCopySource(fields.string('CopySource'));
    this.bucket(source.bucket);
    const from = this.index.get(source.bucket, source.key);
    if (!from) throw s3Errors.noSuchKey(source.key);
    if (source.versionId !== undefined && source.versionId !== currentVersionName(from)) {
      throw s3Errors.noSuchVersion(source.versionId);
    }
    const replace = fields.optionalString('MetadataDirective') === 'REPLACE';
    if (!replace && source.bucket === bucket && source.key === key) {
      throw s3Errors.invalidArgument(
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata",
      );
    }
    const properties = replace
      ? { contentType: fields.optionalString('ContentType') ?? DEFAULT_CONTENT_TYPE, metadata: userMetadata(fields) }
      : { contentType: from.contentType, metadata: from.metadata };
    const temp = await this.receive(createReadStream(this.layout.objectFile(source.bucket, source.key)));
    const record = await this.commit(bucket, key, temp, properties, 'CopyObject');
    return {
      CopyObjectResult: { ETag: record.etag, LastModified: new Date(record.lastModified) },
      ...versionOf(record),
      ...optional('CopySourceVersionId', from.versionId === '' ? undefined : from.versionId),
    } satisfies Output<CopyObjectCommandOutput>;
  }

  private listObjectsV2(fields: CommandFields): CommandOutput {
    const bucket = fields.string('Bucket');
    this.bucket(bucket);
    const prefix = fields.optionalString('Prefix') ?? '';
    const delimiter = fields.optionalString('Delimiter');
    const maxKeys = Math.min(fields.optionalInteger('MaxKeys') ?? MAX_KEYS, MAX_KEYS);
    if (maxKeys < 0) throw s3Errors.invalidArgument('MaxKeys must not be negative');
    const continuationToken = fields.optionalString('ContinuationToken');
    const startAfter = fields.optionalString('StartAfter');
    const page = listObjectsPage(this.index.list(bucket, prefix), {
      prefix,
      maxKeys,
      ...optional('delimiter', delimiter),
      ...optional('continuationToken', continuationToken),
      ...optional('startAfter', startAfter),
    });
    return {
      Name: bucket,
      Prefix: prefix,
      MaxKeys: maxKeys,
      KeyCount: page.contents.length + page.commonPrefixes.length,
      IsTruncated: page.isTruncated,
      ...optional('Delimiter', delimiter),
      ...optional('ContinuationToken', continuationToken),
      ...optional('StartAfter', startAfter),
      ...optional('NextContinuationToken', page.nextContinuationToken),
      ...(page.contents.length > 0
        ? {
            Contents: page.contents.map((record) => ({
              Key: record.key,
              LastModified: new Date(record.lastModified),
              ETag: record.etag,
              Size: record.size,
              StorageClass: 'STANDARD' as const,
            })),
          }
        : {}),
      ...(page.commonPrefixes.length > 0 ? { CommonPrefixes: page.commonPrefixes.map((Prefix) => ({ Prefix })) } : {}),
    } satisfies Output<ListObjectsV2CommandOutput>;
  }

  private async createMultipartUpload(fields: CommandFields): Promise<CommandOutput> {
    const { bucket, key } = this.target(fields);
    const upload = await this.uploads.create({
      bucket,
      key,
      contentType: fields.optionalString('ContentType') ?? DEFAULT_CONTENT_TYPE,
      metadata: userMetadata(fields),
    });
    return { Bucket: bucket, Key: key, UploadId: upload.uploadId } satisfies Output<CreateMultipartUploadCommandOutput>;
  }

  private async uploadPart(fields: CommandFields): Promise<CommandOutput> {
    const { bucket, key } = this.target(fields);
    const uploadId = fields.string('UploadId');
    const partNumber = fields.integer('PartNumber');
    assertPartNumber(partNumber);
    await this.openUpload(bucket, key, uploadId);
    const temp = await this.receive(fields.body(), fields, MAX_PART_BYTES);
    const part = await this.locks.run(`upload:${uploadId}`, async () => {
      // Aborted or completed while the body was arriving: S3 refuses the part too.
      if (!(await this.uploads.get(uploadId))) {
        await rm(temp.path, { force: true });
        throw s3Errors.noSuchUpload(uploadId);
      }
      return this.uploads.savePart(uploadId, partNumber, temp);
    });
    return { ETag: part.etag } satisfies Output<UploadPartCommandOutput>;
  }

  private async completeMultipartUpload(fields: CommandFields, input: CommandInput): Promise<CommandOutput> {
    const { bucket, key } = this.target(fields);
    const uploadId = fields.string('UploadId');
    const requested = requestedParts(input.MultipartUpload);
    return this.locks.run(`upload:${uploadId}`, async () => {
      const upload = await this.openUpload(bucket, key, uploadId);
      const stored = new Map((await this.uploads.listParts(uploadId)).map((part) => [part.partNumber, part]));
      requested.forEach((part, index) => {
        const previous = requested[index - 1];
        if (previous && part.partNumber <= previous.partNumber) throw s3Errors.invalidPartOrder();
      });
      requested.forEach((part, index) => {
        const found = stored.get(part.partNumber);
        if (!found || unquote(found.etag) !== unquote(part.etag)) {
          throw s3Errors.invalidPart(
            `One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag (part ${part.partNumber}).`,
          );
        }
        if (index < requested.length - 1 && found.size < MIN_PART_BYTES) {
          throw s3Errors.entityTooSmall(part.partNumber, found.size);
        }
      });
      assertNotTooLarge(
        requested.reduce((total, part) => total + (stored.get(part.partNumber)?.size ?? 0), 0),
        MAX_OBJECT_BYTES,
      );

      // MpuObjectSize (x-amz-mp-object-size): "If there's a mismatch between the specified object size value and the
      // actual object size value, it results in an HTTP 400 InvalidRequest error."
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
      const expectedSize = fields.optionalInteger('MpuObjectSize');
      const actualSize = requested.reduce((sum, part) => sum + (stored.get(part.partNumber)?.size ?? 0), 0);
      if (expectedSize !== undefined && expectedSize !== actualSize) {
        throw s3Errors.invalidRequest(
          `The provided 'x-amz-mp-object-size' header value ${String(expectedSize)} does not match what was computed: ${String(actualSize)}`,
        );
      }
      const temp = await this.concatenateParts(
        uploadId,
        requested.map((part) => part.partNumber),
      );
      const partDigests = requested.map((part) => Buffer.from(unquote(part.etag), 'hex'));
      const etag = `"${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${requested.length}"`;
      const properties = { contentType: upload.contentType, metadata: upload.metadata };
      const record = await this.commit(bucket, key, { ...temp, etag }, properties, 'CompleteMultipartUpload');
      await this.uploads.remove(uploadId);
      return {
        Location: `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
        Bucket: bucket,
        Key: key,
        ETag: record.etag,
        ...versionOf(record),
      } satisfies Output<CompleteMultipartUploadCommandOutput>;
    });
  }

  private async abortMultipartUpload(fields: CommandFields): Promise<CommandOutput> {
    const { bucket, key } = this.target(fields);
    const uploadId = fields.string('UploadId');
    await this.locks.run(`upload:${uploadId}`, async () => {
      await this.openUpload(bucket, key, uploadId);
      await this.uploads.remove(uploadId);
    });
    return {} satisfies Output<AbortMultipartUploadCommandOutput>;
  }

  private async listParts(fields: CommandFields): Promise<CommandOutput> {
    const { bucket, key } = this.target(fields);
    const uploadId = fields.string('UploadId');
    await this.openUpload(bucket, key, uploadId);
    const maxParts = Math.min(fields.optionalInteger('MaxParts') ?? 1000, 1000);
    const marker = Number(fields.optionalString('PartNumberMarker') ?? '0');
    const after = (await this.uploads.listParts(uploadId)).filter((part) => part.partNumber > marker);
    const page = after.slice(0, maxParts);
    const last = page.at(-1);
    return {
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      MaxParts: maxParts,
      IsTruncated: after.length > page.length,
      StorageClass: 'STANDARD',
      ...(marker > 0 ? { PartNumberMarker: String(marker) } : {}),
      ...(last ? { NextPartNumberMarker: String(last.partNumber) } : {}),
      Parts: page.map((part) => ({
        PartNumber: part.partNumber,
        ETag: part.etag,
        Size: part.size,
        LastModified: new Date(part.lastModified),
      })),
    } satisfies Output<ListPartsCommandOutput>;
  }

  // ---- storage ----

  private ready(): Promise<void> {
    this.loading ??= (async () => {
      // Bodies half-received when a previous run stopped are garbage: nothing points at them.
      await rm(this.layout.tempDir, { recursive: true, force: true });
      await mkdir(this.layout.tempDir, { recursive: true });
      for (const bucket of this.buckets.keys()) await mkdir(this.layout.bucketDir(bucket), { recursive: true });
      await this.index.load();
    })();
    return this.loading;
  }

  private bucket(name: string): LocalBucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw s3Errors.noSuchBucket(name);
    return bucket;
  }

  private target(fields: CommandFields): { bucket: string; key: string } {
    const bucket = fields.string('Bucket');
    this.bucket(bucket);
    const key = fields.string('Key');
    assertStorableKey(key);
    return { bucket, key };
  }

  private current(bucket: string, key: string, versionId: string | undefined): ObjectRecord {
    const record = this.index.get(bucket, key);
    if (!record) throw s3Errors.noSuchKey(key);
    if (versionId !== undefined && versionId !== currentVersionName(record)) throw s3Errors.noSuchVersion(versionId);
    return record;
  }

  private async openUpload(bucket: string, key: string, uploadId: string) {
    const upload = await this.uploads.get(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key) throw s3Errors.noSuchUpload(uploadId);
    return upload;
  }

  private properties(contentType: string | undefined): ObjectProperties {
    return { contentType: contentType ?? DEFAULT_CONTENT_TYPE, metadata: {} };
  }

  /**
   * Receives a body into a temp file, checking the announced length and checksums when fields carry them. A body
   * announced bigger than `maxSize` is refused before a byte is read; one that grows past it, as it arrives.
   */
  private receive(body: Readable, fields?: CommandFields, maxSize?: number): Promise<TempFile> {
    if (!fields) return writeTempFile(this.layout.tempDir, body);
    const expectedSize = fields.optionalInteger('ContentLength');
    if (maxSize !== undefined) assertNotTooLarge(expectedSize, maxSize);
    return writeTempFile(this.layout.tempDir, body, {
      expectedDigests: announcedDigests(fields),
      ...(expectedSize !== undefined ? { expectedSize } : {}),
      ...(maxSize !== undefined ? { maxSize } : {}),
    });
  }

  private async moveToTemp(file: string): Promise<TempFile> {
    const temp = path.join(this.layout.tempDir, `${randomBytes(16).toString('hex')}.part`);
    try {
      await rename(file, temp);
    } catch (error) {
      if (errorCode(error) !== 'EXDEV') throw error;
      await copyFile(file, temp);
      await rm(file);
    }
    const md5 = createHash('md5');
    let size = 0;
    for await (const chunk of createReadStream(temp)) {
      md5.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { path: temp, size, md5: md5.digest() };
  }

  private async concatenateParts(uploadId: string, partNumbers: number[]): Promise<{ path: string; size: number }> {
    const temp = path.join(this.layout.tempDir, `${randomBytes(16).toString('hex')}.part`);
    let size = 0;
    const uploads = this.uploads;
    async function* bytes() {
      for (const partNumber of partNumbers) {
        for await (const chunk of createReadStream(uploads.partFile(uploadId, partNumber))) {
          size += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      }
    }
    try {
      await pipeline(bytes, createWriteStream(temp, { flags: 'wx' }));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { path: temp, size };
  }

  /**
   * Renames a received file over the key's file and records its metadata, one writer per key at a time, then
   * announces the new object if the bucket sends events.
   */
  private async commit(
    bucket: string,
    key: string,
    received: ReceivedFile,
    properties: ObjectProperties,
    reason: CreationReason,
  ): Promise<ObjectRecord> {
    const settings = this.bucket(bucket);
    const record = await this.locks.run(`${bucket}/${key}`, async () => {
      const file = this.layout.objectFile(bucket, key);
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await rename(received.path, file);
      } catch (error) {
        await rm(received.path, { force: true });
        throw isPathConflict(error) ? keyConflict(key) : error;
      }
      const saved: ObjectRecord = {
        bucket,
        key,
        size: received.size,
        etag: received.etag ?? quotedMd5(received),
        versionId: settings.versioned === true ? randomBytes(24).toString('base64url') : '',
        contentType: properties.contentType,
        lastModified: new Date().toISOString(),
        metadata: properties.metadata,
      };
      await this.index.save(saved);
      return saved;
    });
    if (settings.eventBridge === true) {
      this.publish(objectCreatedEvent(storedObject(record), reason, this.nextSequencer()));
    }
    return record;
  }

  /** Names of the temp files being received (for tests and the inspection page: nothing should linger). */
  async pendingTempFiles(): Promise<string[]> {
    await this.ready();
    try {
      return await readdir(this.layout.tempDir);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }
}

function quotedMd5(received: { md5?: Buffer }): string {
  if (!received.md5) throw new Error('a received file has neither an ETag nor an MD5');
  return `"${received.md5.toString('hex')}"`;
}

function storedObject(record: ObjectRecord): StoredObject {
  const { bucket, key, size, etag, versionId, contentType, lastModified } = record;
  return { bucket, key, size, etag, versionId, contentType, lastModified };
}

/** The version id as S3 names it in requests: an unversioned bucket's only version is "null". */
function currentVersionName(record: ObjectRecord): string {
  return record.versionId === '' ? 'null' : record.versionId;
}

function objectHeaders(record: ObjectRecord) {
  return {
    AcceptRanges: 'bytes',
    ContentLength: record.size,
    ContentType: record.contentType,
    ETag: record.etag,
    LastModified: new Date(record.lastModified),
    Metadata: { ...record.metadata },
    ...versionOf(record),
  };
}

function versionOf(record: ObjectRecord): { VersionId?: string } {
  return record.versionId === '' ? {} : { VersionId: record.versionId };
}

function optional<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, string>);
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

/** `bucket/key` or `/bucket/key`, URL-encoded, optionally `?versionId=...`, as CopyObject's CopySource. */
function parseCopySource(copySource: string): { bucket: string; key: string; versionId?: string } {
  const [location = '', query] = copySource.replace(/^\//, '').split('?', 2);
  const slash = location.indexOf('/');
  if (slash <= 0 || slash === location.length - 1) {
    throw s3Errors.invalidArgument('Invalid copy source object key: CopySource must be "bucket/key"');
  }
  try {
    const bucket = decodeURIComponent(location.slice(0, slash));
    const key = decodeURIComponent(location.slice(slash + 1));
    const versionId = query ? (new URLSearchParams(query).get('versionId') ?? undefined) : undefined;
    assertStorableKey(key);
    return { bucket, key, ...(versionId !== undefined ? { versionId } : {}) };
  } catch (error) {
    if (error instanceof URIError) throw s3Errors.invalidArgument('CopySource is not validly URL-encoded');
    throw error;
  }
}

function requestedParts(multipartUpload: unknown): { partNumber: number; etag: string }[] {
  const parts = (multipartUpload as { Parts?: unknown } | undefined)?.Parts;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw s3Errors.malformedXml('The XML you provided was not well-formed: MultipartUpload.Parts must list the parts');
  }
  return parts.map((part: unknown) => {
    const { PartNumber, ETag } = (part ?? {}) as { PartNumber?: unknown; ETag?: unknown };
    if (typeof PartNumber !== 'number' || typeof ETag !== 'string') {
      throw s3Errors.malformedXml('The XML you provided was not well-formed: every part needs PartNumber and ETag');
    }
    return { partNumber: PartNumber, etag: ETag };
  });
}

function userMetadata(fields: CommandFields): Record<string, string> {
  const metadata = fields.metadata();
  assertUserMetadataSize(metadata);
  return metadata;
}

function announcedDigests(fields: CommandFields): ExpectedDigest[] {
  const digests: ExpectedDigest[] = [];
  const md5 = fields.optionalString('ContentMD5');
  if (md5 !== undefined) digests.push(expectedBase64Digest('MD5', md5));
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = fields.optionalString(`Checksum${algorithm}`);
    if (value !== undefined) digests.push(expectedBase64Digest(algorithm, value));
  }
  if (fields.optionalString('ChecksumCRC64NVME') !== undefined) {
    throw s3Errors.invalidArgument('local S3 does not verify CRC64NVME checksums: use CRC32, CRC32C, SHA1 or SHA256');
  }
  return digests;
}

function isPathConflict(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST' || code === 'ENOTEMPTY';
}

function keyConflict(key: string) {
  return s3Errors.invalidArgument(
    `local S3 cannot store key ${JSON.stringify(key)}: another key uses part of its path as a file or a folder (keys "a" and "a/b" cannot both exist locally)`,
  );
}
