import { SFNClient, StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { LocalEvent } from '../../../local/seam/local-events';
import { handler, type ObjectCreatedEvent } from '../../../functions/start-publish/handler';
import { parseObjectCreated } from '../../../functions/start-publish/parse-object-created';
import objectCreated from '../../../events/s3/object-created.json';
import objectCreatedNoVersion from '../../../events/s3/object-created-no-version.json';
import { createS3World, MEDIA_BUCKET, md5Hex, SOURCE_BUCKET, VERSIONED_BUCKET, type S3World } from './local-s3-world';

const MiB = 1024 * 1024;
let world: S3World;

beforeEach(async () => {
  world = await createS3World();
});

afterEach(async () => {
  await world.dispose();
});

/** The shape of a value: every object's keys and every leaf's type, so two events compare by structure. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, item]) => [key, shape(item)]),
    );
  }
  return typeof value;
}

function sourceOf(event: LocalEvent) {
  const parsed = parseObjectCreated(event);
  if (parsed.kind !== 'source') throw new Error(`expected a source object, got ${parsed.kind}`);
  return parsed.source;
}

describe('S3 "Object Created" events', () => {
  it('are shaped exactly like the real event, with the versioned fields on a versioned bucket', async () => {
    // Act
    const versioned = await world.s3.handle('PutObject', { Bucket: VERSIONED_BUCKET, Key: 'clip.mp4', Body: 'v' });
    await world.s3.handle('PutObject', { Bucket: SOURCE_BUCKET, Key: 'clip.mp4', Body: 'plain' });

    // Assess
    expect(world.events).toHaveLength(2);
    const [withVersion, withoutVersion] = world.events as [LocalEvent, LocalEvent];
    expect(shape(withVersion)).toEqual(shape(objectCreated));
    expect(shape(withoutVersion)).toEqual(shape(objectCreatedNoVersion));
    expect(withVersion).toMatchObject({
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      resources: [`arn:aws:s3:::${VERSIONED_BUCKET}`],
      detail: {
        version: '0',
        bucket: { name: VERSIONED_BUCKET },
        object: { key: 'clip.mp4', size: 1, etag: md5Hex('v'), 'version-id': versioned.VersionId },
        reason: 'PutObject',
      },
    });
    expect(withoutVersion.detail.object).not.toHaveProperty('version-id');
    expect(sourceOf(withoutVersion)).toEqual({
      bucket: SOURCE_BUCKET,
      key: 'clip.mp4',
      versionId: '',
      etag: md5Hex('plain'),
      size: 5,
    });
  });

  it('are sent exactly once per object created, whichever way it was created, and never for other buckets or calls', async () => {
    // Prepare
    const file = path.join(world.dataDir, 'local-file.mov');
    await writeFile(file, 'from a file');

    // Act
    await world.s3.handle('PutObject', { Bucket: SOURCE_BUCKET, Key: 'uploads/put.mov', Body: Readable.from(['p']) });
    await world.s3.handle('CopyObject', {
      Bucket: SOURCE_BUCKET,
      Key: 'uploads/copy.mov',
      CopySource: `${SOURCE_BUCKET}/uploads/put.mov`,
    });
    const { UploadId } = await world.s3.handle('CreateMultipartUpload', {
      Bucket: SOURCE_BUCKET,
      Key: 'uploads/mp.mov',
    });
    const first = await world.s3.handle('UploadPart', {
      Bucket: SOURCE_BUCKET,
      Key: 'uploads/mp.mov',
      UploadId,
      PartNumber: 1,
      Body: Buffer.alloc(5 * MiB, 3),
    });
    const last = await world.s3.handle('UploadPart', {
      Bucket: SOURCE_BUCKET,
      Key: 'uploads/mp.mov',
      UploadId,
      PartNumber: 2,
      Body: 'end',
    });
    const eventsBeforeComplete = world.events.length;
    const completed = await world.s3.handle('CompleteMultipartUpload', {
      Bucket: SOURCE_BUCKET,
      Key: 'uploads/mp.mov',
      UploadId,
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: first.ETag },
          { PartNumber: 2, ETag: last.ETag },
        ],
      },
    });
    await world.s3.putFile(SOURCE_BUCKET, 'imports/file.mov', file);
    await world.s3.putBytes(SOURCE_BUCKET, 'imports/bytes.mov', Buffer.from('bytes'));
    await world.s3.handle('PutObject', { Bucket: MEDIA_BUCKET, Key: 'out/seg.m4s', Body: 'not announced' });
    await world.s3.handle('DeleteObject', { Bucket: SOURCE_BUCKET, Key: 'uploads/copy.mov' });
    await expect(
      world.s3.handle('PutObject', {
        Bucket: SOURCE_BUCKET,
        Key: 'uploads/bad.mov',
        Body: 'x',
        ChecksumCRC32: 'AAAAAA==',
      }),
    ).rejects.toMatchObject({ name: 'BadDigest' });

    // Assess
    expect(eventsBeforeComplete).toBe(2);
    expect(world.events.map((event) => [event.detail.reason, sourceOf(event).key])).toEqual([
      ['PutObject', 'uploads/put.mov'],
      ['CopyObject', 'uploads/copy.mov'],
      ['CompleteMultipartUpload', 'uploads/mp.mov'],
      ['PutObject', 'imports/file.mov'],
      ['PutObject', 'imports/bytes.mov'],
    ]);
    const multipart = sourceOf(world.events[2]!);
    expect(multipart).toMatchObject({ etag: (completed.ETag as string).replace(/"/g, ''), size: 5 * MiB + 3 });
    expect(multipart.etag).toMatch(/^[0-9a-f]{32}-2$/);
    const sequencers = world.events.map((event) => (event.detail.object as { sequencer: string }).sequencer);
    expect(sequencers.every((sequencer) => /^[0-9A-F]{18}$/.test(sequencer))).toBe(true);
    expect([...sequencers].sort()).toEqual(sequencers);
    expect(new Set(sequencers).size).toBe(sequencers.length);
    expect(new Set(world.events.map((event) => event.id)).size).toBe(5);
  });

  it('carry the key form-encoded, and start-publish decodes it back and starts one execution per object version', async () => {
    // Prepare
    const key = 'imports/Summer Trip/Beach Day #1 + sunset (café).mov';
    const sfn = mockClient(SFNClient);
    sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:publish:${String(input.name)}`,
    }));
    process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:publish';
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);

    try {
      // Act
      await world.s3.handle('PutObject', { Bucket: VERSIONED_BUCKET, Key: key, Body: 'first' });
      await world.s3.handle('PutObject', { Bucket: VERSIONED_BUCKET, Key: key, Body: 'second' });
      const outcomes = [];
      for (const event of world.events) outcomes.push(await handler(event as unknown as ObjectCreatedEvent));

      // Assess
      expect((world.events[0]!.detail.object as { key: string }).key).toBe(
        'imports/Summer+Trip/Beach+Day+%231+%2B+sunset+%28caf%C3%A9%29.mov',
      );
      const inputs = sfn
        .commandCalls(StartExecutionCommand)
        .map((call) => JSON.parse(call.args[0].input.input ?? '{}') as { source: { key: string } });
      expect(inputs.map((input) => input.source.key)).toEqual([key, key]);
      expect(outcomes.every((outcome) => outcome.started)).toBe(true);
      const names = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
      expect(new Set(names).size).toBe(2);
    } finally {
      stdout.mockRestore();
      sfn.restore();
    }
  });
});
