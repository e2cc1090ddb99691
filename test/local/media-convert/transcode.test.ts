import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProbeResult } from '@aws-sdk/client-mediaconvert';
import { describeSourceMedia } from '../../../functions/probe-source/describe-source-media';
import { buildJobSettings, loadJobTemplate } from '../../../functions/submit-transcode/build-job-settings';
import { summariseJobOutputs } from '../../../functions/transcode-callback/summarise-job-outputs';
import type { JobStateDetail } from '../../../functions/transcode-callback/job-state-event';
import type { SourceMedia } from '../../../functions/commons/types';
import { LocalMediaConvert } from '../../../local/services/media-convert';
import type { LocalEvent } from '../../../local/seam/local-events';
import { generateClip, type ClipOptions } from '../../support/generate-clip';
import {
  dashReferencedFiles,
  descendants,
  inspectRendition,
  parseHlsMaster,
  parseHlsMediaPlaylist,
  parseXml,
  probeStreams,
} from '../../support/media-inspection';
import { TempObjectStore } from '../../support/temp-object-store';

jest.setTimeout(120_000);

const SOURCE_BUCKET = 'vodflow-local-source';
const MEDIA_BUCKET = 'vodflow-local-media';
const LIMITS = { maxDurationSeconds: 3600, maxBytes: 10 * 1024 ** 3 };

interface Published {
  events: LocalEvent[];
  media: SourceMedia;
  renditions: { name: string; width: number; height: number; maxBitrate: number; codec: string }[];
  detail: JobStateDetail;
  cmafFolder: string;
}

let store: TempObjectStore;
let workDir: string;

beforeAll(async () => {
  store = await TempObjectStore.create();
  workDir = await mkdtemp(path.join(tmpdir(), 'vodflow-mc-work-'));
});

afterAll(async () => {
  if (!process.env.KEEP_STORE) await store.cleanup();
  await rm(workDir, { recursive: true, force: true });
});

/** Uploads a generated clip, probes it, builds the job exactly as submit-transcode does, runs it to its end. */
async function publish(name: string, clip: ClipOptions): Promise<Published> {
  const key = `uploads/${name}/clip.mp4`;
  const generated = await generateClip(path.join(workDir, `${name}.mp4`), clip);
  await store.putFile(SOURCE_BUCKET, key, generated, { move: true, contentType: 'video/mp4' });
  const events: LocalEvent[] = [];
  const mediaConvert = new LocalMediaConvert({
    store,
    publish: (event) => events.push(event),
    workDir,
    statusUpdateIntervalMs: 200,
  });
  try {
    const probe = await mediaConvert.handle('Probe', { InputFiles: [{ FileUrl: `s3://${SOURCE_BUCKET}/${key}` }] });
    const media = describeSourceMedia((probe.ProbeResults as ProbeResult[])[0], LIMITS);
    const destinationPrefix = `s3://${MEDIA_BUCKET}/assets/${name}/${name}-publish/`;
    const { settings, renditions } = buildJobSettings({
      template: loadJobTemplate(),
      sourceUri: `s3://${SOURCE_BUCKET}/${key}`,
      destinationPrefix,
      media,
    });
    await mediaConvert.handle('CreateJob', {
      Role: 'arn:aws:iam::000000000000:role/mediaconvert',
      Queue: 'arn:aws:mediaconvert:us-east-1:000000000000:queues/vodflow-local',
      Settings: settings,
      ClientRequestToken: `${name}-token`,
      UserMetadata: { correlationId: `${name}-correlation` },
      StatusUpdateInterval: 'SECONDS_60',
    });
    await mediaConvert.idle();
    const last = events[events.length - 1];
    if (last?.detail.status !== 'COMPLETE') throw new Error(`job ended ${JSON.stringify(last?.detail)}`);
    return {
      events,
      media,
      renditions,
      detail: last.detail as unknown as JobStateDetail,
      cmafFolder: store.filePath(MEDIA_BUCKET, `assets/${name}/${name}-publish/cmaf`),
    };
  } finally {
    await mediaConvert.close();
  }
}

async function text(folder: string, file: string): Promise<string> {
  return readFile(path.join(folder, file), 'utf8');
}

describe('local MediaConvert: a landscape clip with audio', () => {
  let published: Published;

  beforeAll(async () => {
    published = await publish('landscape', { durationSeconds: 8, width: 1280, height: 720 });
  });

  it('announces PROGRESSING, status updates with growing progress, then COMPLETE', () => {
    const statuses = published.events.map((event) => event.detail.status);
    expect(statuses[0]).toBe('PROGRESSING');
    expect(statuses[statuses.length - 1]).toBe('COMPLETE');
    expect(statuses.filter((status) => status === 'STATUS_UPDATE').length).toBeGreaterThan(0);
    const percents = published.events
      .filter((event) => event.detail.status === 'STATUS_UPDATE')
      .map((event) => (event.detail.jobProgress as { jobPercentComplete: number }).jobPercentComplete);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    for (const event of published.events) {
      expect(event).toMatchObject({
        source: 'aws.mediaconvert',
        'detail-type': 'MediaConvert Job State Change',
        detail: {
          queue: 'arn:aws:mediaconvert:us-east-1:000000000000:queues/vodflow-local',
          userMetadata: { correlationId: 'landscape-correlation' },
        },
      });
      expect(event.resources[0]).toMatch(/^arn:aws:mediaconvert:us-east-1:000000000000:jobs\/\d{13}-[a-z0-9]{6}$/);
    }
  });

  it('completes with outputs that transcode-callback turns into a publishable result', async () => {
    const record = {
      correlationId: 'landscape-correlation',
      taskToken: 'token',
      assetId: 'landscape',
      publishId: 'landscape-publish',
      destinationPrefix: `s3://${MEDIA_BUCKET}/assets/landscape/landscape-publish/`,
      renditions: published.renditions,
      templateVersion: 'publish-cmaf.v1',
      expiresAt: 0,
    };
    const result = summariseJobOutputs(published.detail, record);

    expect(result.hlsManifest).toBe(`s3://${MEDIA_BUCKET}/assets/landscape/landscape-publish/cmaf/index.m3u8`);
    expect(result.dashManifest).toBe(`s3://${MEDIA_BUCKET}/assets/landscape/landscape-publish/cmaf/index.mpd`);
    expect(result.poster).toBe(`s3://${MEDIA_BUCKET}/assets/landscape/landscape-publish/poster/poster.0000001.jpg`);
    expect(result.durationSeconds).toBeCloseTo(8, 0);
    for (const uri of [result.hlsManifest, result.dashManifest, result.poster]) {
      const [, bucket = '', key = ''] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
      await expect(store.head(bucket, key)).resolves.toBeDefined();
    }
    const posterStreams = await probeStreams(
      store.filePath(MEDIA_BUCKET, 'assets/landscape/landscape-publish/poster/poster.0000001.jpg'),
    );
    expect(posterStreams[0]).toMatchObject({ codec_name: 'mjpeg', width: 1280, height: 720 });
  });

  it('encodes every planned rung as H.264 High at its planned size, never above the source', async () => {
    expect(published.renditions.map((rendition) => rendition.name)).toEqual(['720p', '540p', '360p', '270p']);
    for (const rendition of published.renditions) {
      const playlist = parseHlsMediaPlaylist(await text(published.cmafFolder, `index_${rendition.name}.m3u8`));
      const facts = await inspectRendition(
        path.join(published.cmafFolder, playlist.map ?? ''),
        playlist.segments.map((segment) => path.join(published.cmafFolder, segment.uri)),
      );
      expect(facts).toMatchObject({ codec: 'h264', profile: 'High', width: rendition.width, height: rendition.height });
      expect(facts.width).toBeLessThanOrEqual(published.media.width);
      expect(facts.height).toBeLessThanOrEqual(published.media.height);
    }
  });

  it('starts every segment of every rung with a keyframe at the same instant (6 s segments, 2 s GOPs)', async () => {
    const starts: number[][] = [];
    const keyframes: number[][] = [];
    for (const rendition of published.renditions) {
      const playlist = parseHlsMediaPlaylist(await text(published.cmafFolder, `index_${rendition.name}.m3u8`));
      const facts = await inspectRendition(
        path.join(published.cmafFolder, playlist.map ?? ''),
        playlist.segments.map((segment) => path.join(published.cmafFolder, segment.uri)),
      );
      expect(facts.segmentStarts.every((start) => start.keyframe)).toBe(true);
      starts.push(facts.segmentStarts.map((start) => start.time));
      keyframes.push(facts.keyframes);
    }
    expect(starts[0]).toHaveLength(2);
    expect(starts[0]?.map(Math.round)).toEqual([0, 6]);
    expect(keyframes[0]?.map(Math.round)).toEqual([0, 2, 4, 6]);
    for (const other of starts.slice(1)) expect(other).toEqual(starts[0]);
    for (const other of keyframes.slice(1)) expect(other).toEqual(keyframes[0]);
  });

  it('writes an HLS multivariant playlist with bandwidth, resolution, codecs, frame rate and the audio group', async () => {
    const master = parseHlsMaster(await text(published.cmafFolder, 'index.m3u8'));

    expect(master.tags).toContain('#EXT-X-INDEPENDENT-SEGMENTS');
    expect(master.media).toEqual([
      expect.objectContaining({ TYPE: 'AUDIO', 'GROUP-ID': 'audio_aac', URI: 'index_audio.m3u8', CHANNELS: '2' }),
    ]);
    expect(master.variants.map((variant) => variant.uri)).toEqual(
      published.renditions.map((rendition) => `index_${rendition.name}.m3u8`),
    );
    master.variants.forEach(({ attributes }, index) => {
      const rendition = published.renditions[index];
      expect(attributes.RESOLUTION).toBe(`${rendition?.width ?? 0}x${rendition?.height ?? 0}`);
      expect(attributes.CODECS).toMatch(/^avc1\.64[0-9a-f]{4},mp4a\.40\.2$/);
      expect(attributes['FRAME-RATE']).toBe('30.000');
      expect(attributes.AUDIO).toBe('audio_aac');
      expect(Number(attributes.BANDWIDTH)).toBeGreaterThanOrEqual(Number(attributes['AVERAGE-BANDWIDTH']));
      expect(Number(attributes['AVERAGE-BANDWIDTH'])).toBeGreaterThan(128_000);
    });
    const bandwidths = master.variants.map(({ attributes }) => Number(attributes.BANDWIDTH));
    expect([...bandwidths].sort((a, b) => b - a)).toEqual(bandwidths);
    expect(master.imageStreams).toEqual([expect.objectContaining({ CODECS: 'jpeg', URI: 'index_thumbnails.m3u8' })]);
  });

  it('writes VOD media playlists whose segments exist and add up to the clip', async () => {
    for (const name of [...published.renditions.map((rendition) => rendition.name), 'audio']) {
      const playlist = parseHlsMediaPlaylist(await text(published.cmafFolder, `index_${name}.m3u8`));
      expect(playlist.tags).toEqual(
        expect.arrayContaining(['#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-ENDLIST', '#EXT-X-INDEPENDENT-SEGMENTS']),
      );
      expect(playlist.map).toBeDefined();
      await expect(stat(path.join(published.cmafFolder, playlist.map ?? ''))).resolves.toBeDefined();
      for (const segment of playlist.segments) {
        expect(Math.round(segment.duration)).toBeLessThanOrEqual(playlist.targetDuration);
        await expect(stat(path.join(published.cmafFolder, segment.uri))).resolves.toBeDefined();
      }
      const total = playlist.segments.reduce((sum, segment) => sum + segment.duration, 0);
      expect(total).toBeCloseTo(8, 0);
    }
  });

  it('encodes the audio as AAC-LC stereo at 48 kHz in its own rendition', async () => {
    const playlist = parseHlsMediaPlaylist(await text(published.cmafFolder, 'index_audio.m3u8'));
    const streams = await probeStreams(path.join(published.cmafFolder, playlist.map ?? ''));
    expect(streams).toEqual([
      expect.objectContaining({ codec_type: 'audio', codec_name: 'aac', sample_rate: '48000', channels: 2 }),
    ]);
  });

  it('writes a static DASH MPD over the same files, with trick-play images', async () => {
    const mpd = parseXml(await text(published.cmafFolder, 'index.mpd'));

    expect(mpd.name).toBe('MPD');
    expect(mpd.attributes.type).toBe('static');
    const sets = descendants(mpd, 'AdaptationSet').map((set) => set.attributes.contentType);
    expect(sets).toEqual(['video', 'audio', 'image']);
    const referenced = dashReferencedFiles(mpd);
    expect(referenced).toHaveLength(published.renditions.length + 2);
    for (const { files } of referenced) {
      expect(files.length).toBeGreaterThan(1);
      for (const file of files) await expect(stat(path.join(published.cmafFolder, file))).resolves.toBeDefined();
    }
    const video = descendants(mpd, 'Representation').filter((representation) => representation.attributes.width);
    expect(video[0]?.attributes).toMatchObject({ width: '1280', height: '720', bandwidth: '3500000' });
  });

  it('writes one trick-play thumbnail per segment, with an HLS image playlist and WebVTT', async () => {
    const playlist = await text(published.cmafFolder, 'index_thumbnails.m3u8');
    const images = playlist.split('\n').filter((line) => line.endsWith('.jpg'));
    expect(playlist).toContain('#EXT-X-IMAGES-ONLY');
    expect(images).toEqual(['index_thumbnails_00001.jpg', 'index_thumbnails_00002.jpg']);
    const streams = await probeStreams(path.join(published.cmafFolder, 'index_thumbnails_00002.jpg'));
    expect(streams[0]).toMatchObject({ width: 320, height: 180 });
    const vtt = await text(published.cmafFolder, 'index_thumbnails.vtt');
    expect(vtt).toContain('00:00:06.000 --> 00:00:08.000\nindex_thumbnails_00002.jpg#xywh=0,0,320,180');
  });
});

describe('local MediaConvert: other shapes of source', () => {
  it('keeps a portrait source portrait, never upscaled', async () => {
    const published = await publish('portrait', { durationSeconds: 3, width: 360, height: 640 });

    const master = parseHlsMaster(await text(published.cmafFolder, 'index.m3u8'));
    expect(master.variants.map(({ attributes }) => attributes.RESOLUTION)).toEqual(['360x640', '270x480']);
    const poster = await probeStreams(
      store.filePath(MEDIA_BUCKET, 'assets/portrait/portrait-publish/poster/poster.0000000.jpg'),
    );
    expect(poster[0]).toMatchObject({ width: 360, height: 640 });
    expect(published.detail.outputGroupDetails?.[1]?.outputDetails?.[0]?.outputFilePaths).toEqual([
      `s3://${MEDIA_BUCKET}/assets/portrait/portrait-publish/poster/poster.0000000.jpg`,
    ]);
  });

  it('publishes a silent source without an audio rendition or audio group', async () => {
    const published = await publish('silent', { durationSeconds: 3, width: 640, height: 360, audio: false });

    expect(published.media.hasAudio).toBe(false);
    const master = parseHlsMaster(await text(published.cmafFolder, 'index.m3u8'));
    expect(master.media).toEqual([]);
    for (const { attributes } of master.variants) {
      expect(attributes.AUDIO).toBeUndefined();
      expect(attributes.CODECS).toMatch(/^avc1\.[0-9a-f]{6}$/);
    }
    const mpd = parseXml(await text(published.cmafFolder, 'index.mpd'));
    expect(descendants(mpd, 'AdaptationSet').map((set) => set.attributes.contentType)).toEqual(['video', 'image']);
    await expect(stat(path.join(published.cmafFolder, 'index_audio.m3u8'))).rejects.toThrow();
  });
});
