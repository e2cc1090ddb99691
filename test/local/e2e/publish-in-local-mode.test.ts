import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssetView } from '../../../local/cli/asset-status';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { LOCAL_STACK } from '../../../local/runtime/local-stack';
import {
  dashReferencedFiles,
  descendants,
  inspectTsRendition,
  parseHlsMaster,
  parseHlsMediaPlaylist,
  parseXml,
} from '../../support/media-inspection';
import {
  operatorToken,
  publishClip,
  requestPlayback,
  startTestRuntime,
  type PlaybackSession,
} from '../../support/local-mode';

/**
 * The whole of local mode, as a user meets it: a clip uploaded through the API runs the real ASL and the real
 * functions, ffmpeg transcodes it, the local MediaPackage serves it and the local edge lets it out only with the
 * signed cookies the entitlement endpoint sets. Every check goes through the playback URLs, as a player would.
 */
const SOURCE = { width: 960, height: 540 };
const SEGMENT_SECONDS = 6;

let runtime: LocalRuntime;
let asset: AssetView;
let session: PlaybackSession;
let scratch: string;

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { headers: { cookie: session.cookieFor(url) } });
  if (!response.ok) throw new Error(`${url} answered ${String(response.status)}`);
  return response.text();
}

async function download(url: string, name: string): Promise<string> {
  const response = await fetch(url, { headers: { cookie: session.cookieFor(url) } });
  if (!response.ok) throw new Error(`${url} answered ${String(response.status)}`);
  const file = join(scratch, name);
  await writeFile(file, Buffer.from(await response.arrayBuffer()));
  return file;
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  scratch = await mkdtemp(join(tmpdir(), 'vodflow-e2e-'));
  asset = await publishClip(runtime, { durationSeconds: 14, ...SOURCE });
  await runtime.idle();
  session = await requestPlayback(runtime, asset.assetId, await operatorToken(runtime));
}, 180_000);

afterAll(async () => {
  await runtime.close();
});

describe('publishing a clip in local mode', () => {
  it('ends READY in the catalogue with renditions, duration and playback URLs on the edge', () => {
    expect(asset.status).toBe('READY');
    expect(asset.duration).toBeCloseTo(14, 0);
    expect(asset.playback?.hls).toMatch(new RegExp(`^${runtime.endpoints.edgeUrl}/out/v1/[0-9a-f]+/.+/index\\.m3u8$`));
    expect(asset.playback?.dash).toMatch(new RegExp(`^${runtime.endpoints.edgeUrl}/out/v1/[0-9a-f]+/.+/index\\.mpd$`));
    expect(asset.renditions?.length).toBeGreaterThanOrEqual(2);
    expect(session.status).toBe(200);
  });

  it('serves an HLS master that lists every rung with BANDWIDTH, RESOLUTION and CODECS, and an audio group', async () => {
    const master = parseHlsMaster(await fetchText(asset.playback?.hls ?? ''));
    expect(master.variants.length).toBe(asset.renditions?.length);
    for (const variant of master.variants) {
      expect(Number(variant.attributes.BANDWIDTH)).toBeGreaterThan(0);
      expect(variant.attributes.RESOLUTION).toMatch(/^\d+x\d+$/);
      expect(variant.attributes.CODECS).toMatch(/avc1\.[0-9a-fA-F]{6}/);
      expect(variant.attributes.AUDIO).toBeDefined();
    }
    const audio = master.media.filter((media) => media.TYPE === 'AUDIO');
    expect(audio).toHaveLength(1);
    expect(master.variants.every((variant) => variant.attributes.AUDIO === audio[0]?.['GROUP-ID'])).toBe(true);
  });

  it('encodes each rung in H.264 at its listed size, never above the source, with keyframes on aligned segment boundaries', async () => {
    const hls = asset.playback?.hls ?? '';
    const master = parseHlsMaster(await fetchText(hls));
    const boundaries: number[][] = [];
    for (const [index, variant] of master.variants.entries()) {
      const playlistUrl = new URL(variant.uri, hls).href;
      const playlist = parseHlsMediaPlaylist(await fetchText(playlistUrl));
      expect(playlist.tags).toContain('#EXT-X-ENDLIST');
      // MediaPackage's HLS packaging (HlsPackage) serves MPEG-TS segments; CMAF packaging would add an EXT-X-MAP.
      expect(playlist.map).toBeUndefined();
      const segments = await Promise.all(
        playlist.segments.map((segment, n) =>
          download(new URL(segment.uri, playlistUrl).href, `segment-${String(index)}-${String(n)}.ts`),
        ),
      );
      const facts = await inspectTsRendition(
        segments,
        playlist.segments.map((segment) => segment.duration),
      );
      const [width, height] = (variant.attributes.RESOLUTION ?? '').split('x').map(Number);
      expect(facts.codec).toBe('h264');
      expect([facts.width, facts.height]).toEqual([width, height]);
      expect(facts.width).toBeLessThanOrEqual(SOURCE.width);
      expect(facts.height).toBeLessThanOrEqual(SOURCE.height);
      expect(facts.segmentStarts.every((start) => start.keyframe)).toBe(true);
      for (const start of facts.segmentStarts.slice(1)) {
        expect(start.time % SEGMENT_SECONDS).toBeCloseTo(0, 1);
      }
      boundaries.push(facts.segmentStarts.map((start) => Number(start.time.toFixed(2))));
    }
    expect(new Set(boundaries.map((times) => JSON.stringify(times))).size).toBe(1);
  }, 60_000);

  it('serves a DASH MPD that parses and whose every referenced file exists on the edge', async () => {
    const dash = asset.playback?.dash ?? '';
    const mpd = parseXml(await fetchText(dash));
    expect(mpd.name).toBe('MPD');
    const sets = descendants(mpd, 'AdaptationSet');
    expect(sets.some((set) => (set.attributes.contentType ?? set.attributes.mimeType ?? '').includes('audio'))).toBe(
      true,
    );
    const files = dashReferencedFiles(mpd).flatMap((entry) => entry.files);
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) {
      const url = new URL(file, dash).href;
      const response = await fetch(url, { method: 'GET', headers: { cookie: session.cookieFor(url) } });
      expect({ file, status: response.status }).toEqual({ file, status: 200 });
      await response.arrayBuffer();
    }
  }, 60_000);

  it('published exactly one notification and left the dead-letter queue empty', () => {
    const notifications = runtime.services.sns.messages(LOCAL_STACK.notificationsTopic);
    const published = notifications.filter((n) => JSON.stringify(n).includes('video.published'));
    expect(published).toHaveLength(1);
    expect(runtime.services.sqs.peek(LOCAL_STACK.deadLetterQueue)).toEqual([]);
    expect(runtime.services.sqs.peek(LOCAL_STACK.eventsDeadLetterQueue)).toEqual([]);
  });

  it('keeps the source in the source bucket', async () => {
    const sources = await runtime.services.s3.list(LOCAL_STACK.sourceBucket, `uploads/${asset.assetId}/`);
    expect(sources).toHaveLength(1);
  });
});
