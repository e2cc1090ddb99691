import '../support/function-env';
import { NotFoundException, TooManyRequestsException } from '@aws-sdk/client-mediapackage-vod';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/register-asset/handler';
import { PackagingFailed, PackagingMisconfigured } from '../../functions/register-asset/packaging-errors';
import { waitUntilPlayable } from '../../functions/register-asset/register-packaged-asset';
import input from '../../events/states/register-asset.json';
import { CreateAsset, DescribeAsset, mockMediaPackageVod } from '../support/mediapackage-vod-mock';

const mediaPackage = mockMediaPackageVod();
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
  });

  it('registers the CMAF HLS master and maps the egress endpoints to CDN URLs', async () => {
    // Prepare
    mediaPackage.on(DescribeAsset).rejects(notFound);
    mediaPackage.on(CreateAsset).resolves({ EgressEndpoints: endpoints('PLAYABLE') });

    // Act
    const result = await handler(input);

    // Assess
    expect(mediaPackage).toHaveReceivedCommandWith(CreateAsset, {
      Id: input.publishId,
      PackagingGroupId: 'vodflow-test',
      SourceArn: `arn:aws:s3:::vodflow-dev-media/assets/${input.assetId}/${input.publishId}/cmaf/index.m3u8`,
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
        poster: `https://d111111abcdef8.cloudfront.net/assets/${input.assetId}/${input.publishId}/poster/poster.0000001.jpg`,
        trickplay: `https://d111111abcdef8.cloudfront.net/assets/${input.assetId}/${input.publishId}/cmaf/`,
      },
      invalidationPaths: ['/out/v1/aa11/bb22/cc33/*', '/out/v1/aa11/dd44/ee55/*', `/assets/${input.assetId}/*`],
    });
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
