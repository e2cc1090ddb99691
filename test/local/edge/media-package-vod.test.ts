import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalEvent } from '../../../local/seam/local-events';
import { LocalServiceError } from '../../../local/seam/local-service';
import {
  LocalMediaPackageVod,
  type LocalMediaPackageVodOptions,
} from '../../../local/services/media-package-vod/local-media-package-vod';
import { writeCmafFixture } from './support/cmaf-fixture';
import { FolderObjectStore } from './support/folder-object-store';
import {
  generateRendition,
  generateRungs,
  MEDIA_BUCKET,
  RUNGS,
  smilText,
  writeSmilFixture,
  writeTsHlsFixture,
} from './support/smil-fixture';

const GROUP = 'vodflow-local-packaging';
const ROLE = 'arn:aws:iam::000000000000:role/vodflow-local-mediapackage-source';
const EGRESS = 'http://127.0.0.1:4321';

interface Endpoint {
  PackagingConfigurationId: string;
  Status: string;
  Url: string;
}

let mediaDir: string;
let rungs: { high: string; low: string };
let fragmented: string;
let audioOnly: string;
let dataDir: string;
let store: FolderObjectStore;
let options: LocalMediaPackageVodOptions;
let events: LocalEvent[];
let smilKey: string;

function create(mediaPackage: LocalMediaPackageVod, id: string, key = smilKey) {
  return mediaPackage.handle('CreateAsset', {
    Id: id,
    PackagingGroupId: GROUP,
    SourceArn: `arn:aws:s3:::${MEDIA_BUCKET}/${key}`,
    SourceRoleArn: ROLE,
    ResourceId: id,
    Tags: { application: 'vodflow' },
  });
}

function endpointsOf(output: Record<string, unknown>): Endpoint[] {
  return output.EgressEndpoints as Endpoint[];
}

function pathOf(endpoints: Endpoint[], configurationId: string): string {
  const url = endpoints.find((endpoint) => endpoint.PackagingConfigurationId === configurationId)?.Url;
  if (!url) throw new Error(`no endpoint for ${configurationId}`);
  return new URL(url).pathname;
}

const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);
const ingestEvents = () => events.map((event) => event.detail.event);

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'vodflow-mp-media-'));
  rungs = await generateRungs(mediaDir);
  fragmented = await generateRendition(join(mediaDir, 'fragmented.mp4'), { ...RUNGS.low, fragmented: true });
  audioOnly = await generateRendition(join(mediaDir, 'audio-only.mp4'), { ...RUNGS.low, video: false });
}, 60_000);

afterAll(async () => {
  await rm(mediaDir, { recursive: true, force: true });
});

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-mp-'));
  store = new FolderObjectStore(join(dataDir, 's3'));
  smilKey = await writeSmilFixture(store, 'assets/a1/a1-p1', rungs);
  events = [];
  options = {
    dataDir,
    store,
    egressBaseUrl: EGRESS,
    publish: (event) => events.push(event),
    groups: [
      {
        id: GROUP,
        configurations: [
          { id: 'vodflow-local-hls', type: 'HLS' },
          { id: 'vodflow-local-dash', type: 'DASH' },
        ],
      },
    ],
  };
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('local MediaPackage VOD: assets', () => {
  it('ingests a SMIL of MP4s into a PLAYABLE asset whose HLS and DASH endpoints share one per-asset prefix', async () => {
    const mediaPackage = new LocalMediaPackageVod(options);

    const created = await create(mediaPackage, 'a1-p1');

    const endpoints = endpointsOf(created);
    expect(endpoints.map((endpoint) => endpoint.Status)).toEqual(['PLAYABLE', 'PLAYABLE']);
    const hls = pathOf(endpoints, 'vodflow-local-hls');
    const dash = pathOf(endpoints, 'vodflow-local-dash');
    expect(hls).toMatch(/^\/out\/v1\/[0-9a-f]{32}\/[0-9a-f]{32}\/[0-9a-f]{32}\/index\.m3u8$/);
    expect(dash).toMatch(/^\/out\/v1\/[0-9a-f]{32}\/[0-9a-f]{32}\/[0-9a-f]{32}\/index\.mpd$/);
    expect(hls.split('/')[3]).toBe(dash.split('/')[3]);
    expect(folderOf(hls)).not.toBe(folderOf(dash));
    expect(endpoints[0]?.Url.startsWith(`${EGRESS}/out/v1/`)).toBe(true);
    expect(created).toMatchObject({
      Id: 'a1-p1',
      Arn: 'arn:aws:mediapackage-vod:us-east-1:000000000000:assets/a1-p1',
      PackagingGroupId: GROUP,
      SourceArn: `arn:aws:s3:::${MEDIA_BUCKET}/${smilKey}`,
      SourceRoleArn: ROLE,
      ResourceId: 'a1-p1',
      Tags: { application: 'vodflow' },
    });
    await expect(mediaPackage.handle('DescribeAsset', { Id: 'a1-p1' })).resolves.toEqual(created);
    await expect(mediaPackage.resolve(hls)).resolves.toMatchObject({ cacheClass: 'manifest' });
    await expect(mediaPackage.resolve(dash)).resolves.toMatchObject({ contentType: 'application/dash+xml' });
  });

  it('announces ingest as MediaPackage does: IngestStart, IngestComplete, then VodAssetPlayable per configuration', async () => {
    const mediaPackage = new LocalMediaPackageVod(options);

    const endpoints = endpointsOf(await create(mediaPackage, 'a1-p1'));

    expect(ingestEvents()).toEqual(['IngestStart', 'IngestComplete', 'VodAssetPlayable', 'VodAssetPlayable']);
    expect(events.every((event) => event['detail-type'] === 'MediaPackage Input Notification')).toBe(true);
    expect(events[2]).toMatchObject({
      source: 'aws.mediapackage',
      resources: [
        'arn:aws:mediapackage-vod:us-east-1:000000000000:assets/a1-p1',
        'arn:aws:mediapackage-vod:us-east-1:000000000000:packaging_configuration/vodflow-local-hls',
      ],
      detail: { packaging_configuration_id: 'vodflow-local-hls', manifest_urls: [endpoints[0]?.Url] },
    });
  });

  it('gives two assets different prefixes', async () => {
    const other = await writeSmilFixture(store, 'assets/a2/a2-p1', rungs);
    const mediaPackage = new LocalMediaPackageVod(options);

    const first = pathOf(endpointsOf(await create(mediaPackage, 'a1-p1')), 'vodflow-local-hls');
    const second = pathOf(endpointsOf(await create(mediaPackage, 'a2-p1', other)), 'vodflow-local-hls');

    expect(first.split('/')[3]).not.toBe(second.split('/')[3]);
  });

  it('ingests a TS-HLS group too, the other documented VOD input, and packages it as HLS and DASH', async () => {
    const master = await writeTsHlsFixture(store, 'assets/t1/t1-p1', rungs, dataDir);
    const mediaPackage = new LocalMediaPackageVod(options);

    const endpoints = endpointsOf(await create(mediaPackage, 't1-p1', master));

    expect(endpoints.map((endpoint) => endpoint.Status)).toEqual(['PLAYABLE', 'PLAYABLE']);
    const hls = (await mediaPackage.resolve(pathOf(endpoints, 'vodflow-local-hls')))?.body.toString('utf8') ?? '';
    expect(hls).toContain('RESOLUTION=320x180');
    expect(hls).toContain('LANGUAGE="eng"');
    const dash = (await mediaPackage.resolve(pathOf(endpoints, 'vodflow-local-dash')))?.body.toString('utf8') ?? '';
    expect(dash).toContain('width="160"');
  });

  it('keeps assets and their packaged files across restarts in <dataDir>/mediapackage', async () => {
    const created = await create(new LocalMediaPackageVod(options), 'a1-p1');

    const restarted = new LocalMediaPackageVod(options);

    await expect(restarted.handle('DescribeAsset', { Id: 'a1-p1' })).resolves.toEqual(created);
    await expect(restarted.resolve(pathOf(endpointsOf(created), 'vodflow-local-hls'))).resolves.toBeDefined();
  });

  it('refuses a second asset with the same id', async () => {
    const mediaPackage = new LocalMediaPackageVod(options);
    await create(mediaPackage, 'a1-p1');

    await expect(create(mediaPackage, 'a1-p1')).rejects.toMatchObject({
      name: 'UnprocessableEntityException',
      $metadata: { httpStatusCode: 422 },
    });
  });

  it('refuses bad requests with the error names of the API', async () => {
    const mediaPackage = new LocalMediaPackageVod(options);
    const valid = {
      Id: 'x1',
      PackagingGroupId: GROUP,
      SourceArn: `arn:aws:s3:::${MEDIA_BUCKET}/${smilKey}`,
      SourceRoleArn: ROLE,
    };
    const refused = (input: Record<string, unknown>, name: string) =>
      expect(mediaPackage.handle('CreateAsset', input)).rejects.toMatchObject({ name });

    await refused({ ...valid, Id: undefined }, 'UnprocessableEntityException');
    await refused({ ...valid, Id: 'bad id/with slash' }, 'UnprocessableEntityException');
    await refused({ ...valid, PackagingGroupId: 'nope' }, 'UnprocessableEntityException');
    await refused({ ...valid, SourceArn: `s3://${MEDIA_BUCKET}/${smilKey}` }, 'UnprocessableEntityException');
    await refused({ ...valid, SourceRoleArn: 'not-a-role' }, 'UnprocessableEntityException');
    await refused({ ...valid, SourceRoleArn: 'arn:aws:iam::123456789012:role/elsewhere' }, 'ForbiddenException');
    await expect(mediaPackage.handle('UpdatePackagingGroup', {})).rejects.toThrow(LocalServiceError);
    await expect(mediaPackage.handle('DescribeAsset', { Id: 'x1' })).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it.each([
    ['a source that does not exist', 'assets/none/x.smil', /does not exist/],
    ['an MP4 instead of a manifest', 'assets/a1/a1-p1/mp4/x_180p.mp4', /not a \.smil or \.m3u8/],
  ])('refuses %s as the source with UnprocessableEntityException', async (_case, key, message) => {
    const mediaPackage = new LocalMediaPackageVod(options);

    const attempt = create(mediaPackage, 'a1-p1', key);

    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toMatchObject({ name: 'UnprocessableEntityException' });
    await expect(mediaPackage.handle('DescribeAsset', { Id: 'a1-p1' })).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('refuses at start a packaging configuration asking for what it does not package, rather than ignore it', () => {
    const withIframes = {
      ...options,
      groups: [
        {
          id: GROUP,
          configurations: [
            {
              id: 'hls-iframes',
              type: 'HLS' as const,
              package: { HlsManifests: [{ IncludeIframeOnlyStream: true, AdMarkers: 'PASSTHROUGH' as const }] },
            },
          ],
        },
      ],
    };

    expect(() => new LocalMediaPackageVod(withIframes)).toThrow(
      'packaging configuration hls-iframes: the local MediaPackage VOD does not package IncludeIframeOnlyStream, AdMarkers PASSTHROUGH',
    );
  });

  it('deletes an asset: DescribeAsset then answers NotFoundException and its egress 404', async () => {
    const mediaPackage = new LocalMediaPackageVod(options);
    const hls = pathOf(endpointsOf(await create(mediaPackage, 'a1-p1')), 'vodflow-local-hls');

    await expect(mediaPackage.handle('DeleteAsset', { Id: 'a1-p1' })).resolves.toEqual({});

    await expect(mediaPackage.handle('DescribeAsset', { Id: 'a1-p1' })).rejects.toMatchObject({
      name: 'NotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(mediaPackage.resolve(hls)).resolves.toBeUndefined();
    await expect(mediaPackage.handle('DeleteAsset', { Id: 'a1-p1' })).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(new LocalMediaPackageVod(options).handle('DescribeAsset', { Id: 'a1-p1' })).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('lists assets by group, a page at a time', async () => {
    const mediaPackage = new LocalMediaPackageVod(options);
    for (const id of ['c', 'a', 'b']) await create(mediaPackage, id);

    const first = await mediaPackage.handle('ListAssets', { PackagingGroupId: GROUP, MaxResults: 2 });
    const second = await mediaPackage.handle('ListAssets', {
      PackagingGroupId: GROUP,
      MaxResults: 2,
      NextToken: first.NextToken,
    });
    const otherGroup = await mediaPackage.handle('ListAssets', { PackagingGroupId: 'other' });

    expect((first.Assets as { Id: string }[]).map((asset) => asset.Id)).toEqual(['a', 'b']);
    expect((second.Assets as { Id: string }[]).map((asset) => asset.Id)).toEqual(['c']);
    expect(second.NextToken).toBeUndefined();
    expect(otherGroup.Assets).toEqual([]);
    expect(first.Assets).toEqual(
      expect.arrayContaining([expect.not.objectContaining({ EgressEndpoints: expect.anything() })]),
    );
  });
});

/**
 * What MediaPackage VOD cannot ingest. The request is valid (CreateAsset answers), ingest fails: every egress
 * endpoint is FAILED (EgressEndpoint.Status) and an IngestError event says why (cloudwatch-events-example.html).
 */
describe('local MediaPackage VOD: sources ingest refuses', () => {
  async function ingestFailure(sourceKey: string) {
    const mediaPackage = new LocalMediaPackageVod(options);
    const created = await create(mediaPackage, 'bad', sourceKey);
    const endpoints = endpointsOf(created);
    const served = await Promise.all(endpoints.map((endpoint) => mediaPackage.resolve(new URL(endpoint.Url).pathname)));
    return {
      statuses: endpoints.map((endpoint) => endpoint.Status),
      served,
      events: ingestEvents(),
      message: String(events.find((event) => event.detail.event === 'IngestError')?.detail.message),
      described: await mediaPackage.handle('DescribeAsset', { Id: 'bad' }),
    };
  }

  async function putSmil(key: string, text: string): Promise<string> {
    await store.putBytes(MEDIA_BUCKET, key, Buffer.from(text));
    return key;
  }

  it('refuses a CMAF (fMP4) HLS source: not a documented VOD input', async () => {
    const master = await writeCmafFixture(store, 'assets/c1/c1-p1');

    const failure = await ingestFailure(master);

    expect(failure.statuses).toEqual(['FAILED', 'FAILED']);
    expect(failure.served).toEqual([undefined, undefined]);
    expect(failure.events).toEqual(['IngestStart', 'IngestError']);
    expect(failure.message).toMatch(/CMAF \(fragmented MP4\) HLS is not a supported VOD input/);
    expect(endpointsOf(failure.described).map((endpoint) => endpoint.Status)).toEqual(['FAILED', 'FAILED']);
  });

  it('refuses a TS HLS playlist that names a missing segment', async () => {
    const master = await writeTsHlsFixture(store, 'assets/t1/t1-p1', rungs, dataDir);
    await rm(store.filePath(MEDIA_BUCKET, 'assets/t1/t1-p1/hls/video_low_1.ts'));

    const failure = await ingestFailure(master);

    expect(failure.statuses).toEqual(['FAILED', 'FAILED']);
    expect(failure.message).toMatch(/video_low\.m3u8 names video_low_1\.ts, which does not exist/);
  });

  it('refuses an HLS playlist that is not complete (a live playlist without EXT-X-ENDLIST)', async () => {
    const master = await putSmil('assets/t2/hls/index.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n');
    await putSmil('assets/t2/hls/v.m3u8', '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nv_0.ts\n');

    const failure = await ingestFailure(master);

    expect(failure.message).toMatch(/not complete \(no #EXT-X-ENDLIST\)/);
  });

  it('refuses a media playlist given as the source instead of the multivariant playlist', async () => {
    await writeTsHlsFixture(store, 'assets/t3/t3-p1', rungs, dataDir);

    const failure = await ingestFailure('assets/t3/t3-p1/hls/video_low.m3u8');

    expect(failure.message).toMatch(/is not a multivariant \(master\) playlist/);
  });

  it('refuses HLS segments that are not MPEG-TS', async () => {
    const master = await putSmil('assets/t4/hls/index.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n');
    await putSmil('assets/t4/hls/v.m3u8', '#EXTM3U\n#EXTINF:2,\nv_0.ts\n#EXT-X-ENDLIST\n');
    await putSmil('assets/t4/hls/v_0.ts', 'text, not a transport stream');

    const failure = await ingestFailure(master);

    expect(failure.message).toMatch(/segment v_0\.ts is not MPEG-TS/);
  });

  it('refuses a SMIL naming an MP4 that does not exist', async () => {
    const key = await putSmil(
      'assets/a1/a1-p1/mp4/missing.smil',
      smilText([{ src: 'x_180p.mp4' }, { src: 'gone.mp4' }]),
    );

    const failure = await ingestFailure(key);

    expect(failure.statuses).toEqual(['FAILED', 'FAILED']);
    expect(failure.message).toMatch(/SMIL names gone\.mp4, which does not exist/);
  });

  it('refuses a fragmented MP4', async () => {
    await store.putFile(MEDIA_BUCKET, 'assets/a1/a1-p1/mp4/x_frag.mp4', fragmented);
    const key = await putSmil('assets/a1/a1-p1/mp4/frag.smil', smilText([{ src: 'x_frag.mp4' }]));

    const failure = await ingestFailure(key);

    expect(failure.statuses).toEqual(['FAILED', 'FAILED']);
    expect(failure.message).toMatch(/x_frag\.mp4 is a fragmented MP4/);
  });

  it('refuses an MP4 with no video track', async () => {
    await store.putFile(MEDIA_BUCKET, 'assets/a1/a1-p1/mp4/x_audio.mp4', audioOnly);
    const key = await putSmil('assets/a1/a1-p1/mp4/audio.smil', smilText([{ src: 'x_audio.mp4' }]));

    const failure = await ingestFailure(key);

    expect(failure.statuses).toEqual(['FAILED', 'FAILED']);
    expect(failure.message).toMatch(/x_audio\.mp4 has no video track/);
  });

  it('refuses a file that is not an MP4 at all', async () => {
    await store.putBytes(MEDIA_BUCKET, 'assets/a1/a1-p1/mp4/x_text.mp4', Buffer.from('not a movie, just text'));
    const key = await putSmil('assets/a1/a1-p1/mp4/text.smil', smilText([{ src: 'x_text.mp4' }]));

    const failure = await ingestFailure(key);

    expect(failure.message).toMatch(/x_text\.mp4 is not an MP4 file/);
  });

  it.each([
    ['malformed XML', '<smil><body><switch><video src="x_180p.mp4"></switch></body></smil>', /not well-formed XML/],
    ['no <video> in the switch', '<smil><body><switch></switch></body></smil>', /lists no <video>/],
    ['no <switch>', '<smil><body><video src="x_180p.mp4"/></body></smil>', /exactly one <body><switch>/],
    ['a root that is not <smil>', '<html><body/></html>', /no <smil> root/],
    ['a <video> without src or name', '<smil><body><switch><video/></switch></body></smil>', /neither src nor name/],
    [
      'entities (an XML bomb)',
      '<?xml version="1.0"?><!DOCTYPE smil [<!ENTITY a "aaaa">]><smil><body><switch><video src="&a;.mp4"/></switch></body></smil>',
      /DOCTYPE or entities/,
    ],
    ['a name outside the bucket', smilText([{ src: '../../../../../x.mp4' }]), /outside the bucket/],
    ['an absolute URL', smilText([{ src: 'https://example.com/x.mp4' }]), /not relative to the manifest/],
    [
      'includeAudio that is not boolean',
      smilText([{ src: 'x_180p.mp4', attributes: { includeAudio: 'yes' } }]),
      /true\/false/,
    ],
    ['a manifest of 300 KB', `<smil>${' '.repeat(300 * 1024)}</smil>`, /larger than 262144 bytes/],
  ])('refuses a SMIL with %s', async (_case, text, message) => {
    const key = await putSmil('assets/a1/a1-p1/mp4/bad.smil', text);

    const failure = await ingestFailure(key);

    expect(failure.statuses).toEqual(['FAILED', 'FAILED']);
    expect(failure.events).toEqual(['IngestStart', 'IngestError']);
    expect(failure.message).toMatch(message);
  });
});
