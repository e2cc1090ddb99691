import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProbeResult } from '@aws-sdk/client-mediaconvert';
import type { SourceMedia, TranscodeResult } from '../../../functions/commons/types';
import { describeSourceMedia } from '../../../functions/probe-source/describe-source-media';
import { thumbnailTrack } from '../../../functions/register-asset/thumbnail-track';
import { buildJobSettings, loadJobTemplate } from '../../../functions/submit-transcode/build-job-settings';
import type { JobStateDetail } from '../../../functions/transcode-callback/job-state-event';
import { summariseJobOutputs } from '../../../functions/transcode-callback/summarise-job-outputs';
import type { LocalEvent } from '../../../local/seam/local-events';
import { LocalMediaConvert } from '../../../local/services/media-convert';
import { generateClip, type ClipOptions } from '../../support/generate-clip';
import { ManualScheduler } from '../../support/manual-scheduler';
import { probeStreams } from '../../support/media-inspection';
import { topLevelBoxes, videoKeyframes } from '../../support/mp4-inspection';
import { TempObjectStore } from '../../support/temp-object-store';

jest.setTimeout(120_000);

const SOURCE_BUCKET = 'vodflow-local-source';
const MEDIA_BUCKET = 'vodflow-local-media';
const LIMITS = { maxDurationSeconds: 3600, maxBytes: 10 * 1024 ** 3 };

interface Published {
  events: LocalEvent[];
  media: SourceMedia;
  detail: JobStateDetail;
  /** What transcode-callback makes of the COMPLETE event (the Transcode state's result). */
  result: TranscodeResult;
  /** STATUS_UPDATE ticks still registered once the job ended. */
  ticksLeft: number;
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

/** s3://bucket/key -> the object's file in the store. */
function fileOf(uri: string): string {
  const [, bucket = '', key = ''] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
  return store.filePath(bucket, key);
}

/**
 * Uploads a generated clip, probes it, builds the job exactly as submit-transcode does, runs it to its end and reads
 * the COMPLETE event as transcode-callback does. One STATUS_UPDATE tick is driven by hand as soon as the job runs.
 */
async function publish(name: string, clip: ClipOptions): Promise<Published> {
  const key = `uploads/${name}/clip.mp4`;
  const generated = await generateClip(path.join(workDir, `${name}.mp4`), clip);
  await store.putFile(SOURCE_BUCKET, key, generated, { move: true, contentType: 'video/mp4' });
  const events: LocalEvent[] = [];
  const scheduler = new ManualScheduler();
  const mediaConvert = new LocalMediaConvert({
    store,
    publish: (event) => {
      events.push(event);
      // The job registers its STATUS_UPDATE tick right after PROGRESSING, before it awaits anything.
      if (event.detail.status === 'PROGRESSING') queueMicrotask(() => scheduler.tick());
    },
    workDir,
    scheduler,
  });
  try {
    const probe = await mediaConvert.handle('Probe', { InputFiles: [{ FileUrl: `s3://${SOURCE_BUCKET}/${key}` }] });
    const media = describeSourceMedia((probe.ProbeResults as ProbeResult[])[0], LIMITS);
    const destinationPrefix = `s3://${MEDIA_BUCKET}/assets/${name}/${name}-publish/`;
    const { settings, renditions, trickplay } = buildJobSettings({
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
    const detail = last.detail as unknown as JobStateDetail;
    const result = summariseJobOutputs(detail, {
      correlationId: `${name}-correlation`,
      taskToken: 'token',
      assetId: name,
      publishId: `${name}-publish`,
      destinationPrefix,
      renditions,
      ...(media.hasAudio ? { audioLanguage: media.audioLanguage ?? 'und' } : {}),
      trickplay,
      templateVersion: 'publish-mp4.v1',
      expiresAt: 0,
    });
    return { events, media, detail, result, ticksLeft: scheduler.active };
  } finally {
    await mediaConvert.close();
  }
}

const prefixOf = (name: string): string => `s3://${MEDIA_BUCKET}/assets/${name}/${name}-publish`;

describe('local MediaConvert: a landscape clip with audio', () => {
  let published: Published;

  beforeAll(async () => {
    published = await publish('landscape', { durationSeconds: 8, width: 1280, height: 720 });
  });

  it('announces PROGRESSING, a STATUS_UPDATE on each tick while it runs, then COMPLETE, and stops ticking', () => {
    expect(published.events.map((event) => event.detail.status)).toEqual(['PROGRESSING', 'STATUS_UPDATE', 'COMPLETE']);
    expect(published.events[1]?.detail.jobProgress).toMatchObject({ jobPercentComplete: 0, currentPhase: 'PROBING' });
    expect(published.ticksLeft).toBe(0);
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

  it('reports per file group, per output, the file written (the last capture of a frame capture)', () => {
    const prefix = prefixOf('landscape');
    const groups = published.detail.outputGroupDetails ?? [];

    expect(groups.map((group) => group.type)).toEqual(['FILE_GROUP', 'FILE_GROUP']);
    expect(groups[0]?.outputDetails?.map((output) => output.outputFilePaths)).toEqual(
      ['720p', '540p', '360p', '270p'].map((rung) => [`${prefix}/mp4/index_${rung}.mp4`]),
    );
    expect(groups[1]?.outputDetails?.map((output) => output.outputFilePaths)).toEqual([
      [`${prefix}/images/index_poster.0000001.jpg`],
      [`${prefix}/images/index_thumbnails.0000001.jpg`],
    ]);
    for (const output of groups.flatMap((group) => group.outputDetails ?? [])) {
      expect(output.durationInMs).toBeGreaterThan(7900);
      expect(output.durationInMs).toBeLessThan(8100);
    }
    expect(groups[0]?.outputDetails?.[0]?.videoDetails).toMatchObject({ widthInPx: 1280, heightInPx: 720 });
    expect(groups[0]?.outputDetails?.[0]?.videoDetails?.averageBitrate).toBeGreaterThan(128_000);
  });

  it('completes with outputs that transcode-callback turns into a publishable result', () => {
    const prefix = prefixOf('landscape');

    expect(published.result).toMatchObject({
      mp4Files: ['720p', '540p', '360p', '270p'].map((rung) => `${prefix}/mp4/index_${rung}.mp4`),
      audioLanguage: 'und',
      poster: `${prefix}/images/index_poster.0000001.jpg`,
      trickplay: {
        lastCapture: `${prefix}/images/index_thumbnails.0000001.jpg`,
        intervalSeconds: 6,
        width: 320,
        height: 180,
      },
    });
    expect(published.result.durationSeconds).toBeCloseTo(8, 0);
  });

  it('encodes every rung as H.264 High at its planned size, never above the source, with AAC-LC stereo muxed in', async () => {
    for (const [index, file] of published.result.mp4Files.entries()) {
      const rendition = published.result.renditions[index];
      const streams = await probeStreams(fileOf(file));

      expect(streams).toEqual([
        expect.objectContaining({
          codec_type: 'video',
          codec_name: 'h264',
          profile: 'High',
          width: rendition?.width,
          height: rendition?.height,
        }),
        expect.objectContaining({ codec_type: 'audio', codec_name: 'aac', sample_rate: '48000', channels: 2 }),
      ]);
      expect(rendition?.width).toBeLessThanOrEqual(published.media.width);
      expect(rendition?.height).toBeLessThanOrEqual(published.media.height);
    }
  });

  it('writes non-fragmented MP4s with the moov box before the media data (progressive download)', async () => {
    for (const file of published.result.mp4Files) {
      const boxes = await topLevelBoxes(fileOf(file));

      expect(boxes).not.toContain('moof');
      expect(boxes.filter((box) => box === 'moov' || box === 'mdat')).toEqual(['moov', 'mdat']);
      expect(boxes[0]).toBe('ftyp');
    }
  });

  it('puts a keyframe every 2 s, at the same instants in every rung', async () => {
    const keyframes = await Promise.all(published.result.mp4Files.map((file) => videoKeyframes(fileOf(file))));

    expect(keyframes[0]?.map((time) => Math.round(time * 100) / 100)).toEqual([0, 2, 4, 6]);
    for (const other of keyframes.slice(1)) expect(other).toEqual(keyframes[0]);
  });

  it('captures the poster at 0 s and 5 s and a thumbnail every 6 s, named as MediaConvert names them', async () => {
    const images = await store.list(MEDIA_BUCKET, 'assets/landscape/landscape-publish/images/');

    expect(images.map((image) => image.key.split('/').pop())).toEqual([
      'index_poster.0000000.jpg',
      'index_poster.0000001.jpg',
      'index_thumbnails.0000000.jpg',
      'index_thumbnails.0000001.jpg',
    ]);
    expect(images.every((image) => image.contentType === 'image/jpeg')).toBe(true);
    const poster = await probeStreams(fileOf(published.result.poster));
    expect(poster[0]).toMatchObject({ codec_name: 'mjpeg', width: 1280, height: 720 });
    const thumbnail = await probeStreams(fileOf(published.result.trickplay.lastCapture));
    expect(thumbnail[0]).toMatchObject({ codec_name: 'mjpeg', width: 320, height: 180 });
  });

  it('gives a WebVTT thumbnails track whose cues name exactly the captures written, one per 6 s', async () => {
    const track = thumbnailTrack(published.result.trickplay, published.result.durationSeconds);
    const images = await store.list(MEDIA_BUCKET, 'assets/landscape/landscape-publish/images/index_thumbnails.');

    expect(track.uri).toBe(`${prefixOf('landscape')}/images/index_thumbnails.vtt`);
    const named = [...track.body.matchAll(/^(index_thumbnails\.\d{7}\.jpg)#xywh=0,0,320,180$/gm)].map((m) => m[1]);
    expect(named).toEqual(images.map((image) => image.key.split('/').pop()));
    expect(track.body).toContain('00:00:06.000 --> 00:00:08.0');
  });
});

describe('local MediaConvert: other shapes of source', () => {
  it('keeps a portrait source portrait, never upscaled, with only the opening frame as poster under 5 s', async () => {
    const published = await publish('portrait', { durationSeconds: 3, width: 360, height: 640 });
    const prefix = prefixOf('portrait');

    expect(published.result.renditions.map((r) => `${r.width}x${r.height}`)).toEqual(['360x640', '270x480']);
    const top = await probeStreams(fileOf(published.result.mp4Files[0] ?? ''));
    expect(top[0]).toMatchObject({ width: 360, height: 640 });
    expect(published.result.poster).toBe(`${prefix}/images/index_poster.0000000.jpg`);
    const poster = await probeStreams(fileOf(published.result.poster));
    expect(poster[0]).toMatchObject({ width: 360, height: 640 });
    expect(published.result.trickplay).toMatchObject({ lastCapture: `${prefix}/images/index_thumbnails.0000000.jpg` });
  });

  it('writes silent MP4s for a silent source, and no audio language', async () => {
    const published = await publish('silent', { durationSeconds: 3, width: 640, height: 360, audio: false });

    expect(published.media.hasAudio).toBe(false);
    expect(published.result.audioLanguage).toBeUndefined();
    for (const file of published.result.mp4Files) {
      const streams = await probeStreams(fileOf(file));
      expect(streams.map((stream) => stream.codec_type)).toEqual(['video']);
    }
  });
});
