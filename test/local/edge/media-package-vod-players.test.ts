import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  LocalMediaPackageVod,
  type PackagingConfiguration,
} from '../../../local/services/media-package-vod/local-media-package-vod';
import { CHROMIUM_INSTALL_TIMEOUT_MS, collectPageProblems, launchChromium } from '../../support/browser';
import { FolderObjectStore } from './support/folder-object-store';
import { generateRendition, MEDIA_BUCKET, RUNGS, writeSmilFixture } from './support/smil-fixture';

/**
 * The players the product ships play what the local MediaPackage packages from a SMIL of MP4s: hls.js the TS HLS
 * and the CMAF HLS, dash.js the DASH. Same origin, no cookies: this is about the media and manifests only.
 */
const PLAYERS = {
  '/hls.min.js': join(process.cwd(), 'node_modules', 'hls.js', 'dist', 'hls.min.js'),
  '/dash.all.min.js': join(process.cwd(), 'node_modules', 'dashjs', 'dist', 'modern', 'umd', 'dash.all.min.js'),
};

const PAGE = `<!doctype html><html><body><video id="v" muted playsinline></video>
<script src="/hls.min.js"></script><script src="/dash.all.min.js"></script>
<script>
  window.playback = { fatal: undefined };
  window.play = (kind, url) => {
    const video = document.getElementById('v');
    if (kind === 'dash') {
      const player = dashjs.MediaPlayer().create();
      player.on(dashjs.MediaPlayer.events.ERROR, (e) => { window.playback.fatal = 'dash.js: ' + JSON.stringify(e.error); });
      player.initialize(video, url, true);
    } else {
      const hls = new Hls();
      hls.on(Hls.Events.ERROR, (_e, data) => { if (data.fatal) window.playback.fatal = 'hls.js: ' + data.details; });
      hls.loadSource(url);
      hls.attachMedia(video);
      video.play().catch(() => undefined);
    }
  };
</script></body></html>`;

const CONFIGURATIONS: PackagingConfiguration[] = [
  {
    id: 'hls',
    type: 'HLS',
    package: { SegmentDurationSeconds: 2, UseAudioRenditionGroup: true, HlsManifests: [{ ManifestName: 'index' }] },
  },
  { id: 'cmaf', type: 'CMAF', package: { SegmentDurationSeconds: 2, HlsManifests: [{ ManifestName: 'index' }] } },
  {
    id: 'dash',
    type: 'DASH',
    package: { SegmentDurationSeconds: 2, DashManifests: [{ ManifestName: 'index', MinBufferTimeSeconds: 4 }] },
  },
];

let dataDir: string;
let server: Server;
let base: string;
let browser: Browser;
const urls = new Map<string, string>();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-mp-players-'));
  const store = new FolderObjectStore(join(dataDir, 's3'));
  const shape = { seconds: 8 };
  const high = await generateRendition(join(dataDir, 'r', 'high.mp4'), { ...RUNGS.high, ...shape });
  const low = await generateRendition(join(dataDir, 'r', 'low.mp4'), { ...RUNGS.low, ...shape });
  const smil = await writeSmilFixture(store, 'assets/p/p1', { high, low });
  const mediaPackage = new LocalMediaPackageVod({
    dataDir,
    store,
    egressBaseUrl: 'http://unused',
    groups: [{ id: 'group', configurations: CONFIGURATIONS }],
  });
  const created = await mediaPackage.handle('CreateAsset', {
    Id: 'p1',
    PackagingGroupId: 'group',
    SourceArn: `arn:aws:s3:::${MEDIA_BUCKET}/${smil}`,
    SourceRoleArn: 'arn:aws:iam::000000000000:role/source',
  });
  for (const endpoint of created.EgressEndpoints as { PackagingConfigurationId: string; Url: string }[]) {
    urls.set(endpoint.PackagingConfigurationId, new URL(endpoint.Url).pathname);
  }
  server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const player = PLAYERS[path as keyof typeof PLAYERS] as string | undefined;
      if (path === '/favicon.ico') {
        response.writeHead(204).end();
      } else if (path === '/') {
        response.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
      } else if (player) {
        response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(await readFile(player));
      } else {
        const answer = await mediaPackage.resolve(path);
        if (!answer) response.writeHead(404).end();
        else response.writeHead(200, { 'Content-Type': answer.contentType }).end(answer.body);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  browser = await launchChromium();
}, CHROMIUM_INSTALL_TIMEOUT_MS);

afterAll(async () => {
  await browser.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

async function playsPast(page: Page, seconds: number): Promise<{ currentTime: number; fatal?: string }> {
  const handle = await page.waitForFunction(
    (threshold) => {
      // The tests' tsconfig has no DOM types: the page's video is read through globalThis.
      const page = globalThis as unknown as {
        document: { querySelector(selector: string): { currentTime: number } | null };
        playback?: { fatal?: string };
      };
      const video = page.document.querySelector('video');
      const fatal = page.playback?.fatal;
      if (fatal !== undefined || (video && video.currentTime > threshold)) {
        return { currentTime: video?.currentTime ?? 0, fatal };
      }
      return false;
    },
    seconds,
    { timeout: 30_000, polling: 100 },
  );
  return (await handle.jsonValue()) as { currentTime: number; fatal?: string };
}

it.each([
  ['hls.js', 'hls', 'hls'],
  ['hls.js', 'cmaf', 'hls'],
  ['dash.js', 'dash', 'dash'],
])(
  '%s plays the %s configuration past its first segment',
  async (_player, configurationId, kind) => {
    const page = await browser.newPage();
    const problems = collectPageProblems(page);
    try {
      await page.goto(`${base}/`);

      await page.evaluate(
        ([chosen, url]) => (globalThis as { play?: (k: string, u: string) => void }).play?.(chosen, url),
        [kind, `${base}${urls.get(configurationId) ?? ''}`] as const,
      );
      const state = await playsPast(page, 2.5);

      expect({ ...state, problems }).toEqual({
        currentTime: expect.any(Number) as number,
        fatal: undefined,
        problems: [],
      });
      expect(state.currentTime).toBeGreaterThan(2.5);
    } finally {
      await page.close();
    }
  },
  60_000,
);
