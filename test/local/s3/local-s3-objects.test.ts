import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LocalServiceError } from '../../../local/seam/local-service';
import {
  bodyText,
  createS3World,
  MEDIA_BUCKET,
  md5Hex,
  SOURCE_BUCKET,
  VERSIONED_BUCKET,
  type S3World,
} from './local-s3-world';

let world: S3World;

beforeEach(async () => {
  world = await createS3World();
});

afterEach(async () => {
  await world.dispose();
});

async function put(key: string, body: string | Uint8Array | Readable, extra: Record<string, unknown> = {}) {
  return world.s3.handle('PutObject', { Bucket: MEDIA_BUCKET, Key: key, Body: body, ...extra });
}

describe('PutObject, GetObject and HeadObject', () => {
  it('stores bodies given as a string, bytes or a stream and returns them with the MD5 ETag', async () => {
    // Prepare
    const bytes = Uint8Array.from([0, 1, 2, 254, 255]);

    // Act
    const fromString = await put('a/text.txt', 'héllo', { ContentType: 'text/plain', Metadata: { Origin: 'test' } });
    const fromBytes = await put('a/bytes.bin', bytes);
    const fromStream = await put('a/stream.bin', Readable.from([Buffer.from('part one, '), Buffer.from('part two')]));

    // Assess
    expect(fromString).toEqual({ ETag: `"${md5Hex('héllo')}"` });
    expect(fromBytes.ETag).toBe(`"${md5Hex(bytes)}"`);
    const text = await world.s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: 'a/text.txt' });
    expect(await bodyText(text)).toBe('héllo');
    expect(text).toMatchObject({
      ContentType: 'text/plain',
      ContentLength: Buffer.byteLength('héllo'),
      ETag: `"${md5Hex('héllo')}"`,
      Metadata: { origin: 'test' },
      AcceptRanges: 'bytes',
    });
    expect(text.LastModified).toBeInstanceOf(Date);
    const binary = await world.s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: 'a/bytes.bin' });
    expect(await (binary.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).toEqual(
      bytes,
    );
    expect(binary.ContentType).toBe('binary/octet-stream');
    expect(await bodyText(await world.s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: 'a/stream.bin' }))).toBe(
      'part one, part two',
    );
    expect(fromStream.ETag).toBe(`"${md5Hex('part one, part two')}"`);
  });

  it('keeps the bytes at filePath(bucket, key) so other local services can read the object as a file', async () => {
    await put('outputs/asset/master.m3u8', '#EXTM3U\n');

    const file = world.s3.filePath(MEDIA_BUCKET, 'outputs/asset/master.m3u8');

    expect(file).toBe(path.join(world.dataDir, 's3', MEDIA_BUCKET, 'outputs', 'asset', 'master.m3u8'));
    expect(await readFile(file, 'utf8')).toBe('#EXTM3U\n');
    expect(() => world.s3.filePath('../escape', 'x')).toThrow('The specified bucket does not exist');
  });

  it('answers byte ranges with ContentRange, and InvalidRange past the end', async () => {
    await put('range.txt', '0123456789');
    const get = (Range: string) => world.s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: 'range.txt', Range });

    const middle = await get('bytes=2-5');
    const open = await get('bytes=7-');
    const suffix = await get('bytes=-3');

    expect(await bodyText(middle)).toBe('2345');
    expect(middle).toMatchObject({ ContentLength: 4, ContentRange: 'bytes 2-5/10' });
    expect(await bodyText(open)).toBe('789');
    expect(await bodyText(suffix)).toBe('789');
    expect(suffix.ContentRange).toBe('bytes 7-9/10');
    await expect(get('bytes=10-12')).rejects.toMatchObject({
      name: 'InvalidRange',
      $metadata: { httpStatusCode: 416 },
    });
  });

  it('HeadObject returns the metadata without a body, and NotFound (404) for a missing key or bucket', async () => {
    await put('head.txt', 'abc', { ContentType: 'text/plain' });

    const head = await world.s3.handle('HeadObject', { Bucket: MEDIA_BUCKET, Key: 'head.txt' });

    expect(head).toMatchObject({ ContentLength: 3, ContentType: 'text/plain', ETag: `"${md5Hex('abc')}"` });
    expect(head.Body).toBeUndefined();
    await expect(world.s3.handle('HeadObject', { Bucket: MEDIA_BUCKET, Key: 'nope' })).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(world.s3.handle('HeadObject', { Bucket: 'no-such-bucket', Key: 'head.txt' })).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('refuses unknown buckets with NoSuchBucket and missing keys with NoSuchKey', async () => {
    await expect(put('x', 'y', { Bucket: 'other-bucket' })).rejects.toMatchObject({
      name: 'NoSuchBucket',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(world.s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: 'missing' })).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(world.s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: 'missing' })).rejects.toBeInstanceOf(
      LocalServiceError,
    );
    await expect(world.s3.handle('PutObjectAcl', { Bucket: MEDIA_BUCKET, Key: 'x' })).rejects.toMatchObject({
      name: 'UnsupportedOperation',
    });
  });

  it('overwrites an object atomically and verifies announced checksums, keeping the old object when one fails', async () => {
    await put('video.mp4', 'original bytes');

    await expect(put('video.mp4', 'corrupted', { ChecksumCRC32: 'AAAAAA==' })).rejects.toMatchObject({
      name: 'BadDigest',
    });
    await expect(
      put('video.mp4', 'corrupted', { ContentMD5: Buffer.from(md5Hex('x'), 'hex').toString('base64') }),
    ).rejects.toMatchObject({ name: 'BadDigest' });
    await expect(put('video.mp4', 'short', { ContentLength: 100 })).rejects.toMatchObject({ name: 'IncompleteBody' });
    const failing = new Readable({
      read() {
        this.push(Buffer.from('half of a body'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(put('video.mp4', failing)).rejects.toThrow('client went away');

    expect(await bodyText(await world.s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: 'video.mp4' }))).toBe(
      'original bytes',
    );
    expect(await world.s3.pendingTempFiles()).toEqual([]);
  });

  it('accepts correct CRC32, CRC32C, SHA1 and SHA256 checksums', async () => {
    // Known values for "hello world" (as the SDK computes them).
    await expect(
      put('sum.txt', 'hello world', {
        ChecksumCRC32: 'DUoRhQ==',
        ChecksumCRC32C: 'yZRlqg==',
        ChecksumSHA1: 'Kq5sNclPz7QV2+lfQIuc6R7oRu0=',
        ChecksumSHA256: 'uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=',
      }),
    ).resolves.toMatchObject({ ETag: `"${md5Hex('hello world')}"` });
  });
});

describe('keys that cannot map to a file inside the bucket folder', () => {
  it.each([
    ['a parent segment', '../../escape.txt'],
    ['a parent segment inside', 'uploads/../../../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['a NUL byte', 'uploads/a\0b'],
    ['a dot segment', 'uploads/./x'],
    ['an empty segment', 'uploads//x'],
  ])('refuses %s with InvalidArgument and writes nothing', async (_case, key) => {
    await expect(put(key, 'evil')).rejects.toMatchObject({
      name: 'InvalidArgument',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(world.s3.handle('CreateMultipartUpload', { Bucket: MEDIA_BUCKET, Key: key })).rejects.toMatchObject({
      name: 'InvalidArgument',
    });
    expect(() => world.s3.filePath(MEDIA_BUCKET, key)).toThrow(LocalServiceError);
    expect(existsSync(path.join(world.dataDir, 'escape.txt'))).toBe(false);
    expect(await readdir(path.join(world.dataDir, 's3', MEDIA_BUCKET))).toEqual([]);
  });

  it('refuses a key longer than 1024 bytes with KeyTooLongError', async () => {
    await expect(put('k'.repeat(1025), 'x')).rejects.toMatchObject({ name: 'KeyTooLongError' });
  });

  it('refuses a key whose path another key uses as a file, and frees the name once that key is deleted', async () => {
    await put('clip', 'file');

    await expect(put('clip/inner', 'x')).rejects.toMatchObject({ name: 'InvalidArgument' });
    await world.s3.handle('DeleteObject', { Bucket: MEDIA_BUCKET, Key: 'clip' });
    await put('clip/inner', 'x');
    await expect(put('clip', 'file again')).rejects.toMatchObject({ name: 'InvalidArgument' });
    await world.s3.handle('DeleteObject', { Bucket: MEDIA_BUCKET, Key: 'clip/inner' });
    await put('clip', 'file again');

    expect(await bodyText(await world.s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: 'clip' }))).toBe(
      'file again',
    );
  });

  it('stores a "folder" key ending in / and keys with spaces and unicode', async () => {
    await put('uploads/', '');
    await put('uploads/My clip (1) é+.mov', 'bytes');

    const list = await world.s3.handle('ListObjectsV2', { Bucket: MEDIA_BUCKET, Prefix: 'uploads/' });

    expect((list.Contents as { Key: string }[]).map((item) => item.Key)).toEqual([
      'uploads/',
      'uploads/My clip (1) é+.mov',
    ]);
  });
});

describe('DeleteObject and CopyObject', () => {
  it('deletes an object (and succeeds for a missing one)', async () => {
    await put('gone.txt', 'x');

    await expect(world.s3.handle('DeleteObject', { Bucket: MEDIA_BUCKET, Key: 'gone.txt' })).resolves.toEqual({});
    await expect(world.s3.handle('DeleteObject', { Bucket: MEDIA_BUCKET, Key: 'gone.txt' })).resolves.toEqual({});

    await expect(world.s3.handle('HeadObject', { Bucket: MEDIA_BUCKET, Key: 'gone.txt' })).rejects.toMatchObject({
      name: 'NotFound',
    });
    expect(existsSync(world.s3.filePath(MEDIA_BUCKET, 'gone.txt'))).toBe(false);
  });

  it('copies bytes and metadata across buckets from a URL-encoded CopySource, or replaces the metadata', async () => {
    await put('src/My file.mov', 'movie', { ContentType: 'video/quicktime', Metadata: { title: 'Trip' } });

    const copied = await world.s3.handle('CopyObject', {
      Bucket: SOURCE_BUCKET,
      Key: 'imports/copy.mov',
      CopySource: `${MEDIA_BUCKET}/src/My%20file.mov`,
    });
    await world.s3.handle('CopyObject', {
      Bucket: MEDIA_BUCKET,
      Key: 'src/My file.mov',
      CopySource: `/${MEDIA_BUCKET}/src/My%20file.mov`,
      MetadataDirective: 'REPLACE',
      ContentType: 'video/mp4',
    });

    expect(copied.CopyObjectResult).toMatchObject({ ETag: `"${md5Hex('movie')}"` });
    const head = await world.s3.handle('HeadObject', { Bucket: SOURCE_BUCKET, Key: 'imports/copy.mov' });
    expect(head).toMatchObject({ ContentType: 'video/quicktime', Metadata: { title: 'Trip' }, ContentLength: 5 });
    const replaced = await world.s3.handle('HeadObject', { Bucket: MEDIA_BUCKET, Key: 'src/My file.mov' });
    expect(replaced).toMatchObject({ ContentType: 'video/mp4', Metadata: {} });
  });

  it('refuses a copy from a missing object, and a copy onto itself that changes nothing', async () => {
    await put('same.txt', 'x');

    await expect(
      world.s3.handle('CopyObject', { Bucket: MEDIA_BUCKET, Key: 'b', CopySource: `${MEDIA_BUCKET}/missing` }),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(
      world.s3.handle('CopyObject', { Bucket: MEDIA_BUCKET, Key: 'b', CopySource: `nope-bucket/x` }),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expect(
      world.s3.handle('CopyObject', { Bucket: MEDIA_BUCKET, Key: 'same.txt', CopySource: `${MEDIA_BUCKET}/same.txt` }),
    ).rejects.toMatchObject({ name: 'InvalidArgument' });
  });
});

describe('ListObjectsV2', () => {
  beforeEach(async () => {
    for (const key of ['a/1.ts', 'a/2.ts', 'a/b/3.ts', 'c.txt', 'd/4.ts', 'd/5.ts', 'e.txt']) await put(key, key);
  });

  const list = (input: Record<string, unknown>) => world.s3.handle('ListObjectsV2', { Bucket: MEDIA_BUCKET, ...input });
  const keys = (output: Record<string, unknown>) =>
    ((output.Contents ?? []) as { Key: string }[]).map((item) => item.Key);
  const prefixes = (output: Record<string, unknown>) =>
    ((output.CommonPrefixes ?? []) as { Prefix: string }[]).map((item) => item.Prefix);

  it('lists keys under a prefix in order, with size and ETag', async () => {
    const output = await list({ Prefix: 'a/' });

    expect(keys(output)).toEqual(['a/1.ts', 'a/2.ts', 'a/b/3.ts']);
    expect(output).toMatchObject({ Name: MEDIA_BUCKET, Prefix: 'a/', KeyCount: 3, IsTruncated: false });
    expect((output.Contents as Record<string, unknown>[])[0]).toMatchObject({
      Size: 6,
      ETag: `"${md5Hex('a/1.ts')}"`,
      StorageClass: 'STANDARD',
    });
  });

  it('groups by delimiter into CommonPrefixes', async () => {
    const top = await list({ Delimiter: '/' });
    const inA = await list({ Prefix: 'a/', Delimiter: '/' });

    expect(keys(top)).toEqual(['c.txt', 'e.txt']);
    expect(prefixes(top)).toEqual(['a/', 'd/']);
    expect(keys(inA)).toEqual(['a/1.ts', 'a/2.ts']);
    expect(prefixes(inA)).toEqual(['a/b/']);
  });

  it('pages with MaxKeys and ContinuationToken, counting common prefixes, until IsTruncated is false', async () => {
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await list({ Delimiter: '/', MaxKeys: 1, ...(token ? { ContinuationToken: token } : {}) });
      pages.push([...prefixes(page), ...keys(page)]);
      token = page.IsTruncated === true ? (page.NextContinuationToken as string) : undefined;
    } while (token !== undefined);

    expect(pages).toEqual([['a/'], ['c.txt'], ['d/'], ['e.txt']]);
  });

  it('returns no Contents for an empty result and refuses a forged continuation token', async () => {
    const empty = await list({ Prefix: 'zzz' });

    expect(empty).toMatchObject({ KeyCount: 0, IsTruncated: false });
    expect(empty.Contents).toBeUndefined();
    await expect(list({ ContinuationToken: 'not-a-token' })).rejects.toMatchObject({ name: 'InvalidArgument' });
    await expect(world.s3.handle('ListObjectsV2', { Bucket: 'missing-bucket' })).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });
});

describe('ObjectStore', () => {
  it('putFile copies or moves a file in, head and list describe the objects', async () => {
    const file = path.join(world.dataDir, 'segment.m4s');
    await writeFile(file, 'segment bytes');

    const copied = await world.s3.putFile(MEDIA_BUCKET, 'out/copy.m4s', file, { contentType: 'video/iso.segment' });
    const moved = await world.s3.putFile(MEDIA_BUCKET, 'out/moved.m4s', file, { move: true });
    const bytes = await world.s3.putBytes(MEDIA_BUCKET, 'out/poster.jpg', Buffer.from('jpeg'), {
      contentType: 'image/jpeg',
    });

    expect(existsSync(file)).toBe(false);
    expect(copied).toMatchObject({
      bucket: MEDIA_BUCKET,
      key: 'out/copy.m4s',
      size: 13,
      contentType: 'video/iso.segment',
    });
    expect(moved.etag).toBe(`"${md5Hex('segment bytes')}"`);
    expect(bytes.etag).toBe(`"${md5Hex('jpeg')}"`);
    expect(await readFile(world.s3.filePath(MEDIA_BUCKET, 'out/moved.m4s'), 'utf8')).toBe('segment bytes');
    expect(await world.s3.head(MEDIA_BUCKET, 'out/poster.jpg')).toEqual(bytes);
    expect(await world.s3.head(MEDIA_BUCKET, 'out/none')).toBeUndefined();
    expect((await world.s3.list(MEDIA_BUCKET, 'out/')).map((object) => object.key)).toEqual([
      'out/copy.m4s',
      'out/moved.m4s',
      'out/poster.jpg',
    ]);
    await expect(world.s3.head('missing-bucket', 'x')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});

describe('versioned buckets and restarts', () => {
  it('gives each version of an object a new VersionId and answers NoSuchVersion for an old one', async () => {
    const first = await world.s3.handle('PutObject', { Bucket: VERSIONED_BUCKET, Key: 'v.txt', Body: 'one' });
    const second = await world.s3.handle('PutObject', { Bucket: VERSIONED_BUCKET, Key: 'v.txt', Body: 'two' });

    expect(first.VersionId).toEqual(expect.any(String));
    expect(second.VersionId).not.toBe(first.VersionId);
    const current = await world.s3.handle('GetObject', {
      Bucket: VERSIONED_BUCKET,
      Key: 'v.txt',
      VersionId: second.VersionId,
    });
    expect(await bodyText(current)).toBe('two');
    await expect(
      world.s3.handle('GetObject', { Bucket: VERSIONED_BUCKET, Key: 'v.txt', VersionId: first.VersionId }),
    ).rejects.toMatchObject({ name: 'NoSuchVersion' });
    const unversioned = await put('u.txt', 'x');
    expect(unversioned.VersionId).toBeUndefined();
  });

  it('knows every object, its metadata and open multipart uploads again after a restart', async () => {
    await put('kept/a.txt', 'alpha', { ContentType: 'text/plain', Metadata: { note: 'kept' } });
    const versioned = await world.s3.handle('PutObject', { Bucket: VERSIONED_BUCKET, Key: 'v.txt', Body: 'one' });
    const { UploadId } = await world.s3.handle('CreateMultipartUpload', { Bucket: MEDIA_BUCKET, Key: 'big.bin' });
    const part = await world.s3.handle('UploadPart', {
      Bucket: MEDIA_BUCKET,
      Key: 'big.bin',
      UploadId,
      PartNumber: 1,
      Body: 'only part',
    });

    const s3 = world.restart();

    const head = await s3.handle('HeadObject', { Bucket: MEDIA_BUCKET, Key: 'kept/a.txt' });
    expect(head).toMatchObject({ ContentType: 'text/plain', Metadata: { note: 'kept' }, ETag: `"${md5Hex('alpha')}"` });
    expect(await bodyText(await s3.handle('GetObject', { Bucket: MEDIA_BUCKET, Key: 'kept/a.txt' }))).toBe('alpha');
    expect((await s3.handle('HeadObject', { Bucket: VERSIONED_BUCKET, Key: 'v.txt' })).VersionId).toBe(
      versioned.VersionId,
    );
    expect((await s3.list(MEDIA_BUCKET, '')).map((object) => object.key)).toEqual(['kept/a.txt']);
    const done = await s3.handle('CompleteMultipartUpload', {
      Bucket: MEDIA_BUCKET,
      Key: 'big.bin',
      UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    });
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-1"$/);
  });
});
