import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runningDigest, type ExpectedDigest } from './checksums';
import { s3Errors } from './s3-errors';

export interface TempFile {
  path: string;
  size: number;
  /** Raw MD5 of the bytes: the ETag of a single-part object and one term of a multipart ETag. */
  md5: Buffer;
}

export interface WriteLimits {
  /** Content-Length the client announced: fewer or more bytes fail the write. */
  expectedSize?: number;
  expectedDigests?: ExpectedDigest[];
  /** The most bytes S3 takes in one request of this kind: more fail with EntityTooLarge as they arrive. */
  maxSize?: number;
}

/**
 * Streams a body into a new file in `tempDir` (never the object's own path), computing its MD5 and any announced
 * checksum on the way. Any failure (client gone, short body, bad digest) deletes the temp file, so the object
 * that may already exist under the key is never touched; the caller renames the file into place.
 */
export async function writeTempFile(tempDir: string, body: Readable, limits: WriteLimits = {}): Promise<TempFile> {
  const tempPath = path.join(tempDir, `${randomUUID()}.part`);
  const md5 = runningDigest('MD5');
  const checks = (limits.expectedDigests ?? []).map((expected) => ({
    expected,
    running: runningDigest(expected.digest),
  }));
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (limits.maxSize !== undefined && size > limits.maxSize) {
        done(s3Errors.entityTooLarge(size, limits.maxSize));
        return;
      }
      if (limits.expectedSize !== undefined && size > limits.expectedSize) {
        done(s3Errors.invalidArgument(`The body is longer than the announced Content-Length ${limits.expectedSize}`));
        return;
      }
      md5.update(bytes);
      for (const check of checks) check.running.update(bytes);
      done(null, bytes);
    },
  });
  try {
    await pipeline(body, measure, createWriteStream(tempPath, { flags: 'wx' }));
    if (limits.expectedSize !== undefined && size !== limits.expectedSize) {
      throw s3Errors.incompleteBody(limits.expectedSize, size);
    }
    for (const { expected, running } of checks) {
      if (!running.result().equals(expected.expected)) throw expected.error();
    }
    return { path: tempPath, size, md5: md5.result() };
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
}
