import '../support/function-env';
import { NotFoundException, TooManyRequestsException } from '@aws-sdk/client-mediapackage-vod';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler, type RegisterAssetInput } from '../../functions/register-asset/handler';
import { PackagingFailed, PackagingMisconfigured } from '../../functions/register-asset/packaging-errors';
import { waitUntilPlayable } from '../../functions/register-asset/register-packaged-asset';
import input from '../../events/states/register-asset.json';
import { descendants, parseXml } from '../support/media-inspection';
import { CreateAsset, DescribeAsset, mockMediaPackageVod } from '../support/mediapackage-vod-mock';

const mediaPackage = mockMediaPackageVod();
const s3 = mockClient(S3Client);
const prefix = `assets/${input.assetId}/${input.publishId}`;

/** The body and content type register-asset put at `key` in the media bucket. */
function written(key: string): { body: string; contentType: string | undefined } {
  const put = s3
    .commandCalls(PutObjectCommand)
    .map((call) => call.args[0].input)
    .find((request) => request.Bucket === 'vodflow-dev-media' && request.Key === key);
  if (!put) throw new Error(`nothing written at ${key}`);
  if (typeof put.Body !== 'string') throw new Error(`${key} was not written as text`);
  return { body: put.Body, contentType: put.ContentType };
}
const egress = 'https://8a4b2c1d.egress.mediapackage-vod.us-east-1.amazonaws.com';
const endpoints = (status?: string) => [
  {
    PackagingConfigurationId: 'vodflow-test-dash',
    Url: `${egress}/out/v1/aa11/dd44/ee55/clip.mpd`,
    Status: status,
  },
  {
    PackagingConfigurationId: 'vodflow-test-hls',
    Url: `${egress}/out/v1/aa11/bb22/cc33/clip.m3u8`,
    Status: status,
  },
];
const notFound = new NotFoundException({ message: 'asset not found', $metadata: {} });

describe('register-asset', () => {
  beforeEach(() => {
    mediaPackage.reset();
    s3.reset();
    s3.on(PutObjectCommand).resolves({});
  });

  it('writes the .smil beside the MP4s, registers it and maps the egress endpoints to CDN URLs', async () => {
    // Prepare
    mediaPackage.on(DescribeAsset).rejects(notFound);
    mediaPackage.on(CreateAsset).resolves({ EgressEndpoints: endpoints('PLAYABLE') });

    // Act
    const result = await handler(input);

    // Assess
    expect(mediaPackage).toHaveReceivedCommandWith(CreateAsset, {
      Id: input.publishId,
      PackagingGroupId: 'vodflow-test',
      SourceArn: `arn:aws:s3:::vodflow-dev-media/${prefix}/mp4/index.smil`,
      SourceRoleArn: 'arn:aws:iam::123456789012:role/vodflow-test-mediapackage-source',
      ResourceId: input.publishId,
      Tags: { application: 'vodflow', assetId: input.assetId },
    });
    expect(result).toEqual({
      mediaPackageAssetId: input.publishId,
      playback: {
        hls: 'https://d111111abcdef8.cloudfront.net/out/v1/aa11/bb22/cc33/clip.m3u8',
        dash: 'https://d111111abcdef8.cloudfront.net/out/v1/aa11/dd44/ee55/clip.mpd',
      },
      thumbnails: {
        poster: `https://d111111abcdef8.cloudfront.net/${prefix}/images/index_poster.0000001.jpg`,
        trickplay: `https://d111111abcdef8.cloudfront.net/${prefix}/images/index_thumbnails.vtt`,
      },
      invalidationPaths: ['/out/v1/aa11/bb22/cc33/*', '/out/v1/aa11/dd44/ee55/*', `/assets/${input.assetId}/*`],
    });
    const smil = s3.commandCalls(PutObjectCommand)[0];
    const create = mediaPackage.commandCalls(CreateAsset)[0];
    expect(smil && create && smil.calledBefore(create)).toBe(true);
  });

  it('lists exactly the MP4s in the .smil, relative to it, with the audio of the first one only', async () => {
    mediaPackage.on(DescribeAsset).resolves({ EgressEndpoints: endpoints('PLAYABLE') });

    await handler(input);

    const smil = written(`${prefix}/mp4/index.smil`);
    expect(smil.contentType).toBe('application/smil+xml');
    expect(smil.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<smil>/);
    const videos = descendants(parseXml(smil.body), 'video').map((video) => video.attributes);
    expect(videos).toEqual([
      { src: 'index_1080p.mp4', systemLanguage: 'eng', audioName: 'English', includeAudio: 'true' },
      { src: 'index_720p.mp4', includeAudio: 'false' },
    ]);
    expect(descendants(parseXml(smil.body), 'switch')).toHaveLength(1);
  });

  it('names the audio of a source in an unknown language und, "Original"', async () => {
    mediaPackage.on(DescribeAsset).resolves({ EgressEndpoints: endpoints('PLAYABLE') });

    await handler({ ...input, transcode: { ...input.transcode, audioLanguage: 'und' } });

    const videos = descendants(parseXml(written(`${prefix}/mp4/index.smil`).body), 'video');
    expect(videos[0]?.attributes).toMatchObject({ systemLanguage: 'und', audioName: 'Original', includeAudio: 'true' });
  });

  it('includes no audio from any MP4 of a silent source', async () => {
    mediaPackage.on(DescribeAsset).resolves({ EgressEndpoints: endpoints('PLAYABLE') });
    const silent: RegisterAssetInput['transcode'] = { ...input.transcode };
    delete silent.audioLanguage;

    await handler({ ...input, transcode: silent });

    const videos = descendants(parseXml(written(`${prefix}/mp4/index.smil`).body), 'video');
    expect(videos.map((video) => video.attributes)).toEqual([
      { src: 'index_1080p.mp4', includeAudio: 'false' },
      { src: 'index_720p.mp4', includeAudio: 'false' },
    ]);
  });

  it('writes the WebVTT thumbnails track over every capture, from the capture cadence', async () => {
    mediaPackage.on(DescribeAsset).resolves({ EgressEndpoints: endpoints('PLAYABLE') });

    await handler(input);

    const track = written(`${prefix}/images/index_thumbnails.vtt`);
    expect(track.contentType).toBe('text/vtt');
    const cues = [0, 1, 2, 3, 4].map(
      (n) =>
        `00:00:${String(6 * n).padStart(2, '0')}.000 --> 00:00:${String(6 * n + 6).padStart(2, '0')}.000\n` +
        `index_thumbnails.000000${n}.jpg#xywh=0,0,320,180`,
    );
    // The last capture's cue ends with the video (30.03 s).
    cues.push('00:00:30.000 --> 00:00:30.030\nindex_thumbnails.0000005.jpg#xywh=0,0,320,180');
    expect(track.body).toBe(`WEBVTT\n\n${cues.join('\n\n')}\n`);
  });

  it('refuses MP4s that are not in one folder: the .smil names them relative to itself', async () => {
    const scattered = {
      ...input,
      transcode: { ...input.transcode, mp4Files: [input.transcode.mp4Files[0] ?? '', 's3://vodflow-dev-media/x.mp4'] },
    };

    await expect(handler(scattered)).rejects.toThrow(PackagingMisconfigured);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    expect(mediaPackage).not.toHaveReceivedCommand(CreateAsset);
  });

  it('registers nothing when the .smil cannot be written, and lets the error through for a retry', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'SlowDown',
        $fault: 'server',
        message: 'Please reduce your request rate.',
        $metadata: {},
      }),
    );

    await expect(handler(input)).rejects.toMatchObject({ name: 'SlowDown' });
    expect(mediaPackage).not.toHaveReceivedCommand(CreateAsset);
  });

  it('reuses the asset a previous attempt created instead of failing on "already exists"', async () => {
    mediaPackage.on(DescribeAsset).resolves({ Id: input.publishId, EgressEndpoints: endpoints('PLAYABLE') });

    const result = await handler(input);

    expect(mediaPackage).not.toHaveReceivedCommand(CreateAsset);
    expect(result.mediaPackageAssetId).toBe(input.publishId);
  });

  it('waits until MediaPackage has finished ingesting', async () => {
    mediaPackage
      .on(DescribeAsset)
      .resolvesOnce({ EgressEndpoints: endpoints('PROCESSING') })
      .resolves({ EgressEndpoints: endpoints('PLAYABLE') });
    const sleeps: number[] = [];

    const ready = await waitUntilPlayable(input.publishId, endpoints('QUEUED'), {
      budgetMs: 9000,
      pollMs: 3000,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });

    expect(sleeps).toEqual([3000, 3000]);
    expect(ready.every((endpoint) => endpoint.Status === 'PLAYABLE')).toBe(true);
  });

  it('hands a long ingest back to the state machine once its wait budget is spent', async () => {
    mediaPackage.on(DescribeAsset).resolves({ EgressEndpoints: endpoints('PROCESSING') });
    const noSleep = () => Promise.resolve();

    const wait = waitUntilPlayable(input.publishId, endpoints('PROCESSING'), {
      budgetMs: 6000,
      pollMs: 3000,
      sleep: noSleep,
    });

    await expect(wait).rejects.toThrow(expect.objectContaining({ name: 'AssetNotYetPlayable' }) as Error);
  });

  it('fails for good when MediaPackage could not package the asset', async () => {
    mediaPackage.on(DescribeAsset).resolves({ EgressEndpoints: endpoints('FAILED') });

    await expect(handler(input)).rejects.toThrow(PackagingFailed);
  });

  it('fails for good when the packaging group lacks a configuration the stack promises', async () => {
    mediaPackage.on(DescribeAsset).resolves({ EgressEndpoints: endpoints('PLAYABLE').slice(0, 1) });

    await expect(handler(input)).rejects.toThrow(PackagingMisconfigured);
  });

  it('refuses outputs outside the media bucket the CDN serves', async () => {
    mediaPackage.on(DescribeAsset).resolves({ EgressEndpoints: endpoints('PLAYABLE') });

    const elsewhere = { ...input, transcode: { ...input.transcode, poster: 's3://someone-else/poster.jpg' } };

    await expect(handler(elsewhere)).rejects.toThrow(PackagingMisconfigured);
  });

  it('lets throttling through for the state machine to retry', async () => {
    mediaPackage.on(DescribeAsset).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: {} }));

    await expect(handler(input)).rejects.toThrow(TooManyRequestsException);
  });
});
