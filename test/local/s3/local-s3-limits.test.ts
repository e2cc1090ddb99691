import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  MAX_OBJECT_BYTES,
  MAX_PART_BYTES,
  MAX_PUT_OBJECT_BYTES,
  assertNotTooLarge,
} from '../../../local/services/s3/s3-limits';
import { writeTempFile } from '../../../local/services/s3/write-temp-file';
import { createS3World, MEDIA_BUCKET, type S3World } from './local-s3-world';

/** The size limits S3 documents, refused with S3's error codes (qfacts.html, upload-objects.html, UsingMetadata.html). */
const GiB = 1024 * 1024 * 1024;
let world: S3World;

beforeEach(async () => {
  world = await createS3World();
});

afterEach(async () => {
  await world.dispose();
});

describe('S3 size limits', () => {
  it('refuses a PutObject announced over 5 GiB with EntityTooLarge, before reading the body, and stores nothing', async () => {
    await expect(
      world.s3.handle('PutObject', { Bucket: MEDIA_BUCKET, Key: 'big.mp4', Body: 'x', ContentLength: 5 * GiB + 1 }),
    ).rejects.toMatchObject({ name: 'EntityTooLarge', $metadata: { httpStatusCode: 400 } });
    expect(await world.s3.head(MEDIA_BUCKET, 'big.mp4')).toBeUndefined();
    expect(await world.s3.pendingTempFiles()).toEqual([]);
    expect(MAX_PUT_OBJECT_BYTES).toBe(5 * GiB);
  });

  it('refuses a part announced over 5 GiB with EntityTooLarge', async () => {
    const { UploadId } = await world.s3.handle('CreateMultipartUpload', { Bucket: MEDIA_BUCKET, Key: 'big.mp4' });

    await expect(
      world.s3.handle('UploadPart', {
        Bucket: MEDIA_BUCKET,
        Key: 'big.mp4',
        UploadId,
        PartNumber: 1,
        Body: 'x',
        ContentLength: MAX_PART_BYTES + 1,
      }),
    ).rejects.toThrow(expect.objectContaining({ name: 'EntityTooLarge' }) as Error);
    expect((await world.s3.handle('ListParts', { Bucket: MEDIA_BUCKET, Key: 'big.mp4', UploadId })).Parts).toEqual([]);
  });

  it('refuses a body that grows past the limit as it arrives, and leaves no temp file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vodflow-s3-limit-'));
    try {
      await expect(
        writeTempFile(dir, Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), { maxSize: 10 }),
      ).rejects.toThrow(expect.objectContaining({ name: 'EntityTooLarge' }) as Error);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes objects up to 5 TiB and refuses a bigger one with EntityTooLarge', () => {
    expect(MAX_OBJECT_BYTES).toBe(5 * 1024 * GiB);
    expect(() => {
      assertNotTooLarge(MAX_OBJECT_BYTES, MAX_OBJECT_BYTES);
    }).not.toThrow();
    expect(() => {
      assertNotTooLarge(MAX_OBJECT_BYTES + 1, MAX_OBJECT_BYTES);
    }).toThrow(expect.objectContaining({ name: 'EntityTooLarge' }) as Error);
  });

  it('refuses user metadata over 2 KB (names and values, UTF-8) with MetadataTooLarge, and takes 2 KB', async () => {
    const exactly = { title: 'x'.repeat(2048 - 'title'.length) };
    // 5 bytes of name and 1022 two-byte characters: 2,049 bytes.
    const over = { title: 'é'.repeat(1022) };

    await world.s3.handle('PutObject', { Bucket: MEDIA_BUCKET, Key: 'ok', Body: 'x', Metadata: exactly });
    await expect(
      world.s3.handle('PutObject', { Bucket: MEDIA_BUCKET, Key: 'meta', Body: 'x', Metadata: over }),
    ).rejects.toMatchObject({ name: 'MetadataTooLarge', $metadata: { httpStatusCode: 400 } });
    await expect(
      world.s3.handle('CreateMultipartUpload', { Bucket: MEDIA_BUCKET, Key: 'meta', Metadata: over }),
    ).rejects.toThrow(expect.objectContaining({ name: 'MetadataTooLarge' }) as Error);
    expect(await world.s3.head(MEDIA_BUCKET, 'meta')).toBeUndefined();
  });
});
