import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomically } from './atomic-files';
import { isNotFound } from './object-index';
import type { StorageLayout } from './storage-layout';
import type { TempFile } from './write-temp-file';

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  initiated: string;
}

export interface PartRecord {
  partNumber: number;
  /** Quoted MD5 of the part, as UploadPart returns it. */
  etag: string;
  size: number;
  lastModified: string;
}

const UPLOAD_ID = /^[A-Za-z0-9_-]{16,128}$/;

/** Multipart uploads in progress, on disk so an upload survives a restart of the local stack. */
export class MultipartUploads {
  constructor(private readonly layout: StorageLayout) {}

  async create(upload: Omit<UploadRecord, 'uploadId' | 'initiated'>): Promise<UploadRecord> {
    const record: UploadRecord = {
      ...upload,
      uploadId: randomBytes(24).toString('base64url'),
      initiated: new Date().toISOString(),
    };
    await mkdir(this.layout.uploadDir(record.uploadId), { recursive: true });
    await writeJsonAtomically(this.uploadFile(record.uploadId), record);
    return record;
  }

  /** The upload, or undefined when the id is unknown, completed, aborted or not even shaped like an id. */
  async get(uploadId: string): Promise<UploadRecord | undefined> {
    if (!UPLOAD_ID.test(uploadId)) return undefined;
    try {
      return JSON.parse(await readFile(this.uploadFile(uploadId), 'utf8')) as UploadRecord;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  partFile(uploadId: string, partNumber: number): string {
    return path.join(this.layout.uploadDir(uploadId), `part-${String(partNumber).padStart(5, '0')}`);
  }

  /** Moves a received part into the upload; uploading the same part number again replaces it, as in S3. */
  async savePart(uploadId: string, partNumber: number, temp: TempFile): Promise<PartRecord> {
    const part: PartRecord = {
      partNumber,
      etag: `"${temp.md5.toString('hex')}"`,
      size: temp.size,
      lastModified: new Date().toISOString(),
    };
    const file = this.partFile(uploadId, partNumber);
    await rename(temp.path, file);
    await writeJsonAtomically(`${file}.json`, part);
    return part;
  }

  async listParts(uploadId: string): Promise<PartRecord[]> {
    const names = await readdir(this.layout.uploadDir(uploadId));
    const parts: PartRecord[] = [];
    for (const name of names.filter((file) => /^part-\d{5}\.json$/.test(file))) {
      parts.push(JSON.parse(await readFile(path.join(this.layout.uploadDir(uploadId), name), 'utf8')) as PartRecord);
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async remove(uploadId: string): Promise<void> {
    await rm(this.layout.uploadDir(uploadId), { recursive: true, force: true });
  }

  private uploadFile(uploadId: string): string {
    return path.join(this.layout.uploadDir(uploadId), 'upload.json');
  }
}
