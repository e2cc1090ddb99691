import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { bodyText, createS3World, MEDIA_BUCKET, type S3World } from './local-s3-world';

const MiB = 1024 * 1024;
const KEY = 'uploads/abcdef12345678/lecture.mov';
let world: S3World;

beforeEach(async () => {
  world = await createS3World();
});

afterEach(async () => {
  await world.dispose();
});

function filled(size: number, byte: number): Buffer {
  return Buffer.alloc(size, byte);
}

async function startUpload(key = KEY): Promise<string> {
  const output = await world.s3.handle('CreateMultipartUpload', {
    Bucket: MEDIA_BUCKET,
    Key: key,
    ContentType: 'video/quicktime',
    Metadata: { Title: 'Lecture' },
  });
  expect(output).toMatchObject({ Bucket: MEDIA_BUCKET, Key: key, UploadId: expect.any(String) });
  return output.UploadId as string;
}

async function uploadPart(uploadId: string, partNumber: number, body: Buffer): Promise<string> {
  const output = await world.s3.handle('UploadPart', {
    Bucket: MEDIA_BUCKET,
    Key: KEY,
    UploadId: uploadId,
    PartNumber: partNumber,
    Body: body,
  });
  return output.ETag as string;
}

function complete(uploadId: string, parts: { PartNumber: number; ETag: string }[]) {
  return world.s3.handle('CompleteMultipartUpload', {
    Bucket: MEDIA_BUCKET,
    Key: KEY,
    UploadId: uploadId,
    MultipartUpload: { Parts: parts },
  });
}

describe('multipart uploads', () => {
  it('assembles the parts in order into one object whose ETag is the MD5 of the part MD5s plus "-N"', async () => {
    // Prepare
    const parts = [filled(5 * MiB, 1), filled(5 * MiB, 2), Buffer.from('the tail')];
    const uploadId = await startUpload();

    // Act: parts may arrive in any order
    const etags = [
      await uploadPart(uploadId, 3, parts[2]!),
      await uploadPart(uploadId, 1, parts[0]!),
      await uploadPart(uploadId, 2, parts[1]!),
    ];
    const listed = await world.s3.handle('ListParts', { Bucket: MEDIA_BUCKET, Key: KEY, UploadId: uploadId });
    const done = await complete(uploadId, [
      { PartNumber: 1, ETag: etags[1]! },
      { PartNumber: 2, ETag: etags[2]! },
      { PartNumber: 3, ETag: etags[0]! },
    ]);

    // Assess
    const partMd5s = parts.map((part) => createHash('md5').update(part).digest());
    const expectedEtag = `"${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-3"`;
    expect(done).toMatchObject({ Bucket: MEDIA_BUCKET, Key: KEY, ETag: expectedEtag });
    expect(listed.Parts).toEqual([
      expect.objectContaining({ PartNumber: 1, Size: 5 * MiB, ETag: `"${partMd5s[0]!.toString('hex')}"` }),
      expect.objectContaining({ PartNumber: 2, Size: 5 * MiB }),
      expect.objectContaining({ PartNumber: 3, Size: 8 }),
    ]);
    const object = await world.s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: KEY, Range: 'bytes=10485758-' });
    expect(await bodyText(object)).toBe('\u0002\u0002the tail');
    expect(await world.s3.head(MEDIA_BUCKET, KEY)).toMatchObject({
      size: 10 * MiB + 8,
      etag: expectedEtag,
      contentType: 'video/quicktime',
    });
    expect((await world.s3.handle('HeadObject', { Bucket: MEDIA_BUCKET, Key: KEY })).Metadata).toEqual({
      title: 'Lecture',
    });
    // The upload is gone once completed.
    await expect(complete(uploadId, [{ PartNumber: 1, ETag: etags[1]! }])).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
    expect(await readdir(path.join(world.dataDir, 's3-uploads'))).toEqual([]);
  });

  it('refuses a part other than the last below 5 MiB with EntityTooSmall', async () => {
    const uploadId = await startUpload();
    const first = await uploadPart(uploadId, 1, filled(5 * MiB - 1, 7));
    const second = await uploadPart(uploadId, 2, Buffer.from('end'));

    await expect(
      complete(uploadId, [
        { PartNumber: 1, ETag: first },
        { PartNumber: 2, ETag: second },
      ]),
    ).rejects.toMatchObject({ name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } });
    // A single small part is fine: it is the last one.
    await expect(complete(uploadId, [{ PartNumber: 2, ETag: second }])).resolves.toMatchObject({
      ETag: expect.stringMatching(/-1"$/),
    });
  });

  it('refuses parts out of order (InvalidPartOrder), unknown or with another ETag (InvalidPart), or none (MalformedXML)', async () => {
    const uploadId = await startUpload();
    const one = await uploadPart(uploadId, 1, filled(5 * MiB, 1));
    const two = await uploadPart(uploadId, 2, Buffer.from('two'));

    await expect(
      complete(uploadId, [
        { PartNumber: 2, ETag: two },
        { PartNumber: 1, ETag: one },
      ]),
    ).rejects.toMatchObject({ name: 'InvalidPartOrder' });
    await expect(
      complete(uploadId, [
        { PartNumber: 1, ETag: one },
        { PartNumber: 3, ETag: two },
      ]),
    ).rejects.toMatchObject({ name: 'InvalidPart' });
    await expect(
      complete(uploadId, [
        { PartNumber: 1, ETag: two },
        { PartNumber: 2, ETag: two },
      ]),
    ).rejects.toMatchObject({ name: 'InvalidPart' });
    await expect(complete(uploadId, [])).rejects.toMatchObject({ name: 'MalformedXML' });
    // ETags are accepted with or without quotes, as S3 does.
    await expect(
      complete(uploadId, [
        { PartNumber: 1, ETag: one.replace(/"/g, '') },
        { PartNumber: 2, ETag: two },
      ]),
    ).resolves.toMatchObject({ Key: KEY });
  });

  it('aborts an upload: its parts are dropped and every later call answers NoSuchUpload', async () => {
    const uploadId = await startUpload();
    await uploadPart(uploadId, 1, Buffer.from('x'));

    await expect(
      world.s3.handle('AbortMultipartUpload', { Bucket: MEDIA_BUCKET, Key: KEY, UploadId: uploadId }),
    ).resolves.toEqual({});

    await expect(uploadPart(uploadId, 2, Buffer.from('y'))).rejects.toMatchObject({ name: 'NoSuchUpload' });
    await expect(
      world.s3.handle('ListParts', { Bucket: MEDIA_BUCKET, Key: KEY, UploadId: uploadId }),
    ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    await expect(
      world.s3.handle('AbortMultipartUpload', { Bucket: MEDIA_BUCKET, Key: KEY, UploadId: uploadId }),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
    await expect(world.s3.handle('HeadObject', { Bucket: MEDIA_BUCKET, Key: KEY })).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('refuses an unknown or forged upload id, another key, and part numbers outside 1..10000', async () => {
    const uploadId = await startUpload();

    await expect(uploadPart('../../s3/vodflow-local-media', 1, Buffer.from('x'))).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
    await expect(uploadPart('A'.repeat(32), 1, Buffer.from('x'))).rejects.toMatchObject({ name: 'NoSuchUpload' });
    await expect(
      world.s3.handle('UploadPart', {
        Bucket: MEDIA_BUCKET,
        Key: 'other.mov',
        UploadId: uploadId,
        PartNumber: 1,
        Body: 'x',
      }),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
    await expect(uploadPart(uploadId, 0, Buffer.from('x'))).rejects.toMatchObject({ name: 'InvalidArgument' });
    await expect(uploadPart(uploadId, 10001, Buffer.from('x'))).rejects.toMatchObject({ name: 'InvalidArgument' });
  });

  it('replaces a part uploaded twice with the same number', async () => {
    const uploadId = await startUpload();
    await uploadPart(uploadId, 1, Buffer.from('first try'));
    const retried = await uploadPart(uploadId, 1, Buffer.from('second try'));

    await complete(uploadId, [{ PartNumber: 1, ETag: retried }]);

    expect(await bodyText(await world.s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: KEY }))).toBe('second try');
  });
});
