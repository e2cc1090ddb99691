import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalServiceError } from '../../../local/seam/local-service';
import {
  LocalMediaPackageVod,
  type LocalMediaPackageVodOptions,
} from '../../../local/services/media-package-vod/local-media-package-vod';
import { MASTER, MEDIA_BUCKET, segmentBytes, writeCmafFixture } from './support/cmaf-fixture';
import { FolderObjectStore } from './support/folder-object-store';

const GROUP = 'vodflow-local-packaging';
const ROLE = 'arn:aws:iam::000000000000:role/vodflow-local-mediapackage-source';
const EGRESS = 'http://127.0.0.1:4321';

interface Endpoint {
  PackagingConfigurationId: string;
  Status: string;
  Url: string;
}

let dataDir: string;
let store: FolderObjectStore;
let options: LocalMediaPackageVodOptions;
let masterKey: string;

function create(mediaPackage: LocalMediaPackageVod, id: string, key = masterKey) {
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

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-mp-'));
  store = new FolderObjectStore(join(dataDir, 's3'));
  masterKey = await writeCmafFixture(store, 'assets/a1/a1-p1');
  options = {
    dataDir,
    store,
    egressBaseUrl: EGRESS,
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
  it('creates a PLAYABLE asset whose HLS and DASH endpoints share one per-asset prefix', async () => {
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
      SourceArn: `arn:aws:s3:::${MEDIA_BUCKET}/${masterKey}`,
      SourceRoleArn: ROLE,
      ResourceId: 'a1-p1',
      Tags: { application: 'vodflow' },
    });
    await expect(mediaPackage.handle('DescribeAsset', { Id: 'a1-p1' })).resolves.toEqual(created);
  });

  it('gives two assets different prefixes', async () => {
    await writeCmafFixture(store, 'assets/a2/a2-p1');
    const mediaPackage = new LocalMediaPackageVod(options);

    const first = pathOf(endpointsOf(await create(mediaPackage, 'a1-p1')), 'vodflow-local-hls');
    const second = pathOf(
      endpointsOf(await create(mediaPackage, 'a2-p1', 'assets/a2/a2-p1/cmaf/index.m3u8')),
      'vodflow-local-hls',
    );

    expect(first.split('/')[3]).not.toBe(second.split('/')[3]);
  });

  it('keeps assets across restarts in <dataDir>/mediapackage', async () => {
    const created = await create(new LocalMediaPackageVod(options), 'a1-p1');

    const restarted = new LocalMediaPackageVod(options);

    await expect(restarted.handle('DescribeAsset', { Id: 'a1-p1' })).resolves.toEqual(created);
    await expect(restarted.resolve(pathOf(endpointsOf(created), 'vodflow-local-hls'))).resolves.toBeDefined();
  });

  it('refuses a second asset with the same id', async () => {
    const mediaPackage = new LocalMediaPackageVod(options);
    await create(mediaPackage, 'a1-p1');

    await expect(create(mediaPackage, 'a1-p1')).rejects.toThrow(
      expect.objectContaining({ name: 'UnprocessableEntityException' }) as Error,
    );
  });

  it.each([
    ['a source that does not exist', 'assets/none/cmaf/index.m3u8', /does not exist/],
    ['a media playlist instead of the master', 'assets/a1/a1-p1/cmaf/index_720p.m3u8', /not an HLS master/],
    ['a file that is not a playlist', 'assets/a1/a1-p1/cmaf/index.mpd', /not an HLS master/],
  ])('refuses %s as the source', async (_case, key, message) => {
    const mediaPackage = new LocalMediaPackageVod(options);

    const attempt = create(mediaPackage, 'a1-p1', key);

    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toThrow(expect.objectContaining({ name: 'UnprocessableEntityException' }) as Error);
    await expect(mediaPackage.handle('DescribeAsset', { Id: 'a1-p1' })).rejects.toThrow(
      expect.objectContaining({ name: 'NotFoundException' }) as Error,
    );
  });

  it('refuses bad requests with the error names of the API', async () => {
    const mediaPackage = new LocalMediaPackageVod(options);
    const valid = {
      Id: 'x1',
      PackagingGroupId: GROUP,
      SourceArn: `arn:aws:s3:::${MEDIA_BUCKET}/${masterKey}`,
      SourceRoleArn: ROLE,
    };
    const refused = (input: Record<string, unknown>, name: string) =>
      expect(mediaPackage.handle('CreateAsset', input)).rejects.toThrow(expect.objectContaining({ name }) as Error);

    await refused({ ...valid, Id: undefined }, 'UnprocessableEntityException');
    await refused({ ...valid, Id: 'bad id/with slash' }, 'UnprocessableEntityException');
    await refused({ ...valid, PackagingGroupId: 'nope' }, 'UnprocessableEntityException');
    await refused({ ...valid, SourceArn: `s3://${MEDIA_BUCKET}/${masterKey}` }, 'UnprocessableEntityException');
    await refused({ ...valid, SourceRoleArn: 'not-a-role' }, 'UnprocessableEntityException');
    await refused({ ...valid, SourceRoleArn: 'arn:aws:iam::123456789012:role/elsewhere' }, 'ForbiddenException');
    await expect(mediaPackage.handle('UpdatePackagingGroup', {})).rejects.toThrow(LocalServiceError);
  });

  it('marks a configuration FAILED when its part of the CMAF copy is incomplete', async () => {
    await writeCmafFixture(store, 'assets/a3/a3-p1', { skip: ['index_360p_00002.m4s', 'index.mpd'] });
    const mediaPackage = new LocalMediaPackageVod(options);

    const created = await create(mediaPackage, 'a3-p1', 'assets/a3/a3-p1/cmaf/index.m3u8');

    const statuses = endpointsOf(created).map((endpoint) => [endpoint.PackagingConfigurationId, endpoint.Status]);
    expect(statuses).toEqual([
      ['vodflow-local-hls', 'FAILED'],
      ['vodflow-local-dash', 'FAILED'],
    ]);
    await expect(mediaPackage.resolve(pathOf(endpointsOf(created), 'vodflow-local-hls'))).resolves.toBeUndefined();
  });

  it('marks HLS FAILED when a playlist points outside the asset folder', async () => {
    await writeCmafFixture(store, 'assets/a4/a4-p1');
    await store.putBytes(
      MEDIA_BUCKET,
      'assets/a4/a4-p1/cmaf/index.m3u8',
      Buffer.from(MASTER.replace('index_720p.m3u8', '../../../a1/a1-p1/cmaf/index_720p.m3u8')),
    );
    const mediaPackage = new LocalMediaPackageVod(options);

    const created = await create(mediaPackage, 'a4-p1', 'assets/a4/a4-p1/cmaf/index.m3u8');

    expect(endpointsOf(created).find((e) => e.PackagingConfigurationId === 'vodflow-local-hls')?.Status).toBe('FAILED');
  });

  it('deletes an asset: DescribeAsset then answers NotFoundException and its egress 404', async () => {
    const mediaPackage = new LocalMediaPackageVod(options);
    const hls = pathOf(endpointsOf(await create(mediaPackage, 'a1-p1')), 'vodflow-local-hls');

    await expect(mediaPackage.handle('DeleteAsset', { Id: 'a1-p1' })).resolves.toEqual({});

    await expect(mediaPackage.handle('DescribeAsset', { Id: 'a1-p1' })).rejects.toThrow(
      expect.objectContaining({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } }) as Error,
    );
    await expect(mediaPackage.resolve(hls)).resolves.toBeUndefined();
    await expect(mediaPackage.handle('DeleteAsset', { Id: 'a1-p1' })).rejects.toThrow(
      expect.objectContaining({ name: 'NotFoundException' }) as Error,
    );
    await expect(new LocalMediaPackageVod(options).handle('DescribeAsset', { Id: 'a1-p1' })).rejects.toThrow(
      expect.objectContaining({ name: 'NotFoundException' }) as Error,
    );
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

describe('local MediaPackage VOD: egress', () => {
  let mediaPackage: LocalMediaPackageVod;
  let hls: string;
  let dash: string;

  beforeEach(async () => {
    mediaPackage = new LocalMediaPackageVod(options);
    const endpoints = endpointsOf(await create(mediaPackage, 'a1-p1'));
    hls = pathOf(endpoints, 'vodflow-local-hls');
    dash = pathOf(endpoints, 'vodflow-local-dash');
  });

  it('serves the HLS master with every URI relative to its egress folder', async () => {
    const master = await mediaPackage.resolve(hls);

    expect(master?.contentType).toBe('application/vnd.apple.mpegurl');
    expect(master?.cacheClass).toBe('manifest');
    const text = master?.body.toString('utf8') ?? '';
    expect(text).toContain('URI="index_audio.m3u8"');
    expect(text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))).toEqual([
      'index_720p.m3u8',
      'index_360p.m3u8',
    ]);
  });

  it('serves media playlists and the segments they name from the same folder', async () => {
    const playlist = await mediaPackage.resolve(`${folderOf(hls)}index_720p.m3u8`);
    const init = await mediaPackage.resolve(`${folderOf(hls)}index_720p_init.mp4`);
    const segment = await mediaPackage.resolve(`${folderOf(hls)}index_720p_00001.m4s`);

    expect(playlist?.body.toString('utf8')).toContain('#EXT-X-MAP:URI="index_720p_init.mp4"');
    expect(init).toEqual({
      body: segmentBytes('index_720p_init.mp4'),
      contentType: 'video/mp4',
      cacheClass: 'immutable',
    });
    expect(segment?.contentType).toBe('video/iso.segment');
    expect(segment?.body).toEqual(segmentBytes('index_720p_00001.m4s'));
  });

  it('serves the DASH manifest and the same segments under the DASH folder', async () => {
    const mpd = await mediaPackage.resolve(dash);
    const segment = await mediaPackage.resolve(`${folderOf(dash)}index_audio_00002.m4s`);

    expect(mpd?.contentType).toBe('application/dash+xml');
    expect(mpd?.body.toString('utf8')).toContain('media="index_$RepresentationID$_$Number%05d$.m4s"');
    expect(segment?.body).toEqual(segmentBytes('index_audio_00002.m4s'));
  });

  it('answers nothing for paths outside what a configuration serves', async () => {
    const unknownAsset = hls.replace(/^\/out\/v1\/[0-9a-f]{32}/, `/out/v1/${'0'.repeat(32)}`);

    const answers = await Promise.all(
      [
        unknownAsset,
        `${folderOf(dash)}index.m3u8`,
        `${folderOf(hls)}index.mpd`,
        `${folderOf(hls)}..%2Findex_720p_init.mp4`,
        `${folderOf(hls)}../index_720p_init.mp4`,
        `${folderOf(hls)}missing_00009.m4s`,
        `${folderOf(hls)}notes.txt`,
        '/out/v1/short/path',
      ].map((path) => mediaPackage.resolve(path)),
    );

    expect(answers).toEqual(answers.map(() => undefined));
  });
});
