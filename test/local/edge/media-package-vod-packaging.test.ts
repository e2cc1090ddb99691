import type { HlsPackage } from '@aws-sdk/client-mediapackage-vod';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { locateFfmpegBinaries } from '../../../local/ffmpeg/locate-binaries';
import { runFfmpeg } from '../../../local/ffmpeg/run-ffmpeg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LocalMediaPackageVod,
  type PackagingConfiguration,
} from '../../../local/services/media-package-vod/local-media-package-vod';
import { childBoxes } from '../../../local/services/media-package-vod/mp4-boxes';
import {
  descendants,
  isoSeconds,
  parseHlsMaster,
  parseHlsMediaPlaylist,
  parseXml,
  probeStreams,
  type XmlElement,
} from '../../support/media-inspection';
import { FolderObjectStore } from './support/folder-object-store';
import { generateRungs, MEDIA_BUCKET, RUNGS, smilText, writeSmilFixture } from './support/smil-fixture';

/**
 * What the local MediaPackage VOD serves from a SMIL of MP4s, checked the way a player would meet it: manifests
 * parsed, their figures recomputed from the served segments, the segments probed with ffprobe.
 */
const ROLE = 'arn:aws:iam::000000000000:role/source';

let mediaDir: string;
let workDir: string;
let rungs: { high: string; low: string };
let dataDir: string;
let store: FolderObjectStore;
let smilKey: string;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'vodflow-mpp-media-'));
  workDir = await mkdtemp(join(tmpdir(), 'vodflow-mpp-work-'));
  rungs = await generateRungs(mediaDir);
}, 60_000);

afterAll(async () => {
  await rm(mediaDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-mpp-'));
  store = new FolderObjectStore(join(dataDir, 's3'));
  smilKey = await writeSmilFixture(store, 'assets/a1/a1-p1', rungs);
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Packages the fixture with one configuration; returns a fetch of egress files relative to its manifest. */
async function packaged(configuration: PackagingConfiguration, source = smilKey) {
  const mediaPackage = new LocalMediaPackageVod({
    dataDir,
    store,
    egressBaseUrl: 'http://127.0.0.1:1',
    groups: [{ id: 'group', configurations: [configuration] }],
  });
  const created = await mediaPackage.handle('CreateAsset', {
    Id: 'asset',
    PackagingGroupId: 'group',
    SourceArn: `arn:aws:s3:::${MEDIA_BUCKET}/${source}`,
    SourceRoleArn: ROLE,
  });
  const [endpoint] = created.EgressEndpoints as { Status: string; Url: string }[];
  if (endpoint?.Status !== 'PLAYABLE') throw new Error(`endpoint is ${String(endpoint?.Status)}`);
  const url = new URL(endpoint.Url).pathname;
  const folder = url.slice(0, url.lastIndexOf('/') + 1);
  const get = async (file: string) => {
    const answer = await mediaPackage.resolve(`${folder}${file}`);
    if (!answer) throw new Error(`egress answers 404 for ${file}`);
    return answer;
  };
  const text = async (file: string) => (await get(file)).body.toString('utf8');
  const saved = async (files: string[], name: string) => {
    const bodies = await Promise.all(files.map(async (file) => (await get(file)).body));
    const path = join(workDir, `${String(Date.now())}-${name}`);
    await writeFile(path, Buffer.concat(bodies));
    return path;
  };
  return { mediaPackage, manifest: url.slice(folder.length), get, text, saved };
}

type Packaged = Awaited<ReturnType<typeof packaged>>;

/**
 * Streams of a TS segment. The npm ffprobe build (2023 static) crashes (SIGSEGV) on any MPEG-TS file, so the
 * segment is first copied into Matroska by ffmpeg (`-c copy`, same packets), which ffprobe reads.
 */
async function probeTs(file: string) {
  const copy = `${file}.mkv`;
  await runFfmpeg(locateFfmpegBinaries().ffmpeg, ['-loglevel', 'error', '-y', '-i', file, '-c', 'copy', copy]).done;
  return probeStreams(copy);
}

async function segmentsOf(egress: Packaged, playlistName: string) {
  const playlist = parseHlsMediaPlaylist(await egress.text(playlistName));
  const sized = await Promise.all(
    playlist.segments.map(async (segment) => ({ ...segment, bytes: (await egress.get(segment.uri)).body.length })),
  );
  return { playlist, segments: sized };
}

const peak = (segments: { duration: number; bytes: number }[]) =>
  Math.max(...segments.map((segment) => (segment.bytes * 8) / segment.duration));

/** ffprobe's profile and level give the avc1.PPCCLL profile and level bytes. */
function avcProfileLevel(stream: Record<string, unknown>): { profile: string; level: string } {
  const profiles: Record<string, number> = { 'Constrained Baseline': 66, Baseline: 66, Main: 77, High: 100 };
  return {
    profile: (profiles[String(stream.profile)] ?? 0).toString(16).padStart(2, '0'),
    level: Number(stream.level).toString(16).padStart(2, '0'),
  };
}

const HLS_PACKAGE: HlsPackage = {
  SegmentDurationSeconds: 2,
  UseAudioRenditionGroup: true,
  HlsManifests: [{ ManifestName: 'index', StreamSelection: { StreamOrder: 'VIDEO_BITRATE_DESCENDING' } }],
};
const HLS_TS: PackagingConfiguration = { id: 'hls', type: 'HLS', package: HLS_PACKAGE };

describe('HlsPackage: TS segments', () => {
  it('writes a master whose variants, order and figures come from the media', async () => {
    const egress = await packaged(HLS_TS);

    const master = parseHlsMaster(await egress.text('index.m3u8'));

    expect(egress.manifest).toBe('index.m3u8');
    expect(master.variants.map((variant) => variant.attributes.RESOLUTION)).toEqual(['320x180', '160x90']);
    expect(master.media).toEqual([
      expect.objectContaining({ TYPE: 'AUDIO', 'GROUP-ID': 'audio', NAME: 'English', LANGUAGE: 'eng', DEFAULT: 'YES' }),
    ]);
    const audio = await segmentsOf(egress, master.media[0]?.URI ?? '');
    for (const [index, variant] of master.variants.entries()) {
      const video = await segmentsOf(egress, variant.uri);
      expect(Number(variant.attributes.BANDWIDTH)).toBe(
        Math.ceil(peak(video.segments)) + Math.ceil(peak(audio.segments)),
      );
      expect(variant.attributes.AUDIO).toBe('audio');
      expect(variant.attributes['FRAME-RATE']).toBe('30.000');
      const [stream] = await probeTs(await egress.saved([video.segments[0]?.uri ?? ''], `v${String(index)}.ts`));
      const { profile, level } = avcProfileLevel(stream ?? {});
      expect(variant.attributes.CODECS).toMatch(new RegExp(`^avc1\\.${profile}[0-9a-f]{2}${level},mp4a\\.40\\.2$`));
    }
  });

  it('cuts TS segments of the configured duration, video and audio apart, without re-encoding', async () => {
    const egress = await packaged(HLS_TS);

    const master = parseHlsMaster(await egress.text('index.m3u8'));
    const video = await segmentsOf(egress, master.variants[0]?.uri ?? '');
    const audio = await segmentsOf(egress, master.media[0]?.URI ?? '');

    expect(video.playlist.tags).toEqual(expect.arrayContaining(['#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-ENDLIST']));
    expect(video.playlist.targetDuration).toBe(2);
    expect(video.segments.map((segment) => segment.duration)).toEqual([2, 2]);
    expect(video.segments.every((segment) => segment.uri.endsWith('.ts'))).toBe(true);
    const videoStreams = await probeTs(await egress.saved([video.segments[1]?.uri ?? ''], 'v.ts'));
    expect(videoStreams).toEqual([expect.objectContaining({ codec_type: 'video', codec_name: 'h264', width: 320 })]);
    const audioStreams = await probeTs(await egress.saved([audio.segments[0]?.uri ?? ''], 'a.ts'));
    expect(audioStreams).toEqual([expect.objectContaining({ codec_type: 'audio', codec_name: 'aac' })]);
    expect((await egress.get(video.segments[0]?.uri ?? '')).contentType).toBe('video/mp2t');
  });

  it('muxes the audio into every variant when the configuration has no audio rendition group', async () => {
    const egress = await packaged({ ...HLS_TS, package: { ...HLS_PACKAGE, UseAudioRenditionGroup: false } });

    const master = parseHlsMaster(await egress.text('index.m3u8'));
    const video = await segmentsOf(egress, master.variants[1]?.uri ?? '');

    expect(master.media).toEqual([]);
    expect(master.variants[1]?.attributes.AUDIO).toBeUndefined();
    expect(Number(master.variants[1]?.attributes.BANDWIDTH)).toBe(Math.ceil(peak(video.segments)));
    const streams = await probeTs(await egress.saved([video.segments[0]?.uri ?? ''], 'muxed.ts'));
    expect(streams.map((stream) => stream.codec_name).sort()).toEqual(['aac', 'h264']);
  });

  it('follows the segment duration, stream order, stream selection and manifest names of the configuration', async () => {
    const egress = await packaged({
      id: 'hls',
      type: 'HLS',
      package: {
        SegmentDurationSeconds: 1,
        UseAudioRenditionGroup: true,
        HlsManifests: [
          { ManifestName: 'all', StreamSelection: { StreamOrder: 'VIDEO_BITRATE_ASCENDING' } },
          { ManifestName: 'small', StreamSelection: { MaxVideoBitsPerSecond: (RUNGS.low.videoKbps + 100) * 1000 } },
        ],
      },
    });

    const all = parseHlsMaster(await egress.text('all.m3u8'));
    const small = parseHlsMaster(await egress.text('small.m3u8'));
    const video = await segmentsOf(egress, all.variants[0]?.uri ?? '');

    expect(egress.manifest).toBe('all.m3u8');
    expect(all.variants.map((variant) => variant.attributes.RESOLUTION)).toEqual(['160x90', '320x180']);
    expect(small.variants.map((variant) => variant.attributes.RESOLUTION)).toEqual(['160x90']);
    expect(video.segments.map((segment) => segment.duration)).toEqual([1, 1, 1, 1]);
    await expect(egress.get('index.m3u8')).rejects.toThrow(/404/);
  });

  it('keeps the SMIL order for ORIGINAL, whatever the bit rates', async () => {
    const reversed = smilText([
      { src: 'x_90p.mp4', attributes: { includeAudio: 'false' } },
      { src: 'x_180p.mp4', attributes: { systemLanguage: 'eng', audioName: 'English', includeAudio: 'true' } },
    ]);
    await store.putBytes(MEDIA_BUCKET, 'assets/a1/a1-p1/mp4/reversed.smil', Buffer.from(reversed));

    const egress = await packaged(
      { ...HLS_TS, package: { ...HLS_PACKAGE, HlsManifests: [{ StreamSelection: { StreamOrder: 'ORIGINAL' } }] } },
      'assets/a1/a1-p1/mp4/reversed.smil',
    );

    const master = parseHlsMaster(await egress.text('index.m3u8'));
    expect(master.variants.map((variant) => variant.attributes.RESOLUTION)).toEqual(['160x90', '320x180']);
  });
});

describe('CmafPackage: fMP4 HLS', () => {
  it('serves HLS over CMAF segments with an EXT-X-MAP init segment', async () => {
    const egress = await packaged({
      id: 'cmaf',
      type: 'CMAF',
      package: { SegmentDurationSeconds: 2, HlsManifests: [{ ManifestName: 'index' }] },
    });

    const master = parseHlsMaster(await egress.text('index.m3u8'));
    const video = await segmentsOf(egress, master.variants[0]?.uri ?? '');

    expect(master.tags).toContain('#EXT-X-VERSION:6');
    expect(video.playlist.map).toMatch(/_init\.mp4$/);
    expect(video.segments.map((segment) => segment.duration)).toEqual([2, 2]);
    const segment = (await egress.get(video.segments[0]?.uri ?? '')).body;
    expect(childBoxes(segment).map((box) => box.type)).toEqual(expect.arrayContaining(['moof', 'mdat']));
    const streams = await probeStreams(
      await egress.saved([video.playlist.map ?? '', ...video.segments.map((s) => s.uri)], 'cmaf.mp4'),
    );
    expect(streams).toEqual([expect.objectContaining({ codec_name: 'h264', width: 320, height: 180 })]);
  });
});

const DASH: PackagingConfiguration = {
  id: 'dash',
  type: 'DASH',
  package: {
    SegmentDurationSeconds: 2,
    SegmentTemplateFormat: 'NUMBER_WITH_TIMELINE',
    DashManifests: [
      {
        ManifestName: 'index',
        ManifestLayout: 'FULL',
        MinBufferTimeSeconds: 4,
        StreamSelection: { StreamOrder: 'VIDEO_BITRATE_DESCENDING' },
      },
    ],
  },
};

function timelineTicks(template: XmlElement): number[] {
  return descendants(template, 'S').flatMap((entry) =>
    Array.from({ length: 1 + Number(entry.attributes.r ?? 0) }, () => Number(entry.attributes.d)),
  );
}

describe('DashPackage: CMAF segments under an MPD', () => {
  it('describes each rendition truthfully and serves every segment its timeline names', async () => {
    const egress = await packaged(DASH);

    const mpd = parseXml(await egress.text('index.mpd'));

    expect(mpd.attributes).toMatchObject({ type: 'static', minBufferTime: 'PT4S' });
    expect(isoSeconds(mpd.attributes.mediaPresentationDuration ?? '')).toBeCloseTo(RUNGS.high.seconds, 1);
    const [videoSet, audioSet] = descendants(mpd, 'AdaptationSet');
    const videos = descendants(videoSet ?? mpd, 'Representation');
    expect(videos.map((video) => [video.attributes.width, video.attributes.height])).toEqual([
      ['320', '180'],
      ['160', '90'],
    ]);
    expect(audioSet?.attributes).toMatchObject({ mimeType: 'audio/mp4', lang: 'eng' });
    for (const representation of [...videos, ...descendants(audioSet ?? mpd, 'Representation')]) {
      const id = representation.attributes.id ?? '';
      const template = descendants(representation, 'SegmentTemplate')[0];
      const ticks = timelineTicks(template ?? mpd);
      // 2 s segments of 4 s: video cuts on its 1 s keyframes; AAC frames (1024 samples) leave a short third.
      expect(ticks.length).toBe(representation.attributes.codecs?.startsWith('avc1') ? 2 : 3);
      const files = [`${id}_init.mp4`, ...ticks.map((_tick, index) => `${id}_${String(index + 1)}.m4s`)];
      const whole = await egress.saved(files, `${id}.mp4`);
      const [stream] = await probeStreams(whole);
      expect(representation.attributes.codecs).toMatch(stream?.codec_name === 'aac' ? /^mp4a\.40\.2$/ : /^avc1\./);
      expect(Number(stream?.duration)).toBeCloseTo(
        ticks.reduce((sum, tick) => sum + tick, 0) / Number(template?.attributes.timescale),
        1,
      );
      expect(Number(representation.attributes.bandwidth)).toBeGreaterThan(0);
    }
  });

  it('states @bandwidth as the rate that never stalls a client buffering minBufferTime', async () => {
    const egress = await packaged(DASH);

    const mpd = parseXml(await egress.text('index.mpd'));
    const [top] = descendants(mpd, 'Representation');
    const template = descendants(top ?? mpd, 'SegmentTemplate')[0];
    const ticks = timelineTicks(template ?? mpd);
    const timescale = Number(template?.attributes.timescale);
    const sizes = await Promise.all(
      ticks.map(async (_tick, index) => (await egress.get(`video_1_${String(index + 1)}.m4s`)).body.length * 8),
    );

    const bandwidth = Number(top?.attributes.bandwidth);
    // From any start, each segment arrives before it plays when downloading at @bandwidth after minBufferTime.
    for (let first = 0; first < sizes.length; first += 1) {
      let bits = 0;
      let played = 0;
      for (let last = first; last < sizes.length; last += 1) {
        bits += sizes[last] ?? 0;
        expect(bits / bandwidth).toBeLessThanOrEqual(4 + played + 1e-6);
        played += (ticks[last] ?? 0) / timescale;
      }
    }
    expect(bandwidth).toBeGreaterThan((Math.max(...sizes) / 4) * 0.99);
  });

  it('puts one SegmentTemplate on the AdaptationSet for COMPACT and names segments by time for TIME_WITH_TIMELINE', async () => {
    const egress = await packaged({
      id: 'dash',
      type: 'DASH',
      package: {
        SegmentDurationSeconds: 2,
        SegmentTemplateFormat: 'TIME_WITH_TIMELINE',
        DashManifests: [{ ManifestName: 'compact', ManifestLayout: 'COMPACT' }],
      },
    });

    const mpd = parseXml(await egress.text('compact.mpd'));
    const [videoSet] = descendants(mpd, 'AdaptationSet');
    const shared = videoSet?.children.find((child) => child.name === 'SegmentTemplate');

    expect(shared?.attributes.media).toBe('$RepresentationID$_$Time$.m4s');
    expect(descendants(videoSet ?? mpd, 'Representation').every((rep) => rep.children.length === 0)).toBe(true);
    const ticks = timelineTicks(shared ?? mpd);
    await expect(egress.get(`video_1_${String(ticks[0] ?? 0)}.m4s`)).resolves.toBeDefined();
    await expect(egress.get('video_1_0.m4s')).resolves.toMatchObject({ contentType: 'video/iso.segment' });
  });
});
