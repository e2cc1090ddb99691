import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import type { AssetView } from '../../../local/cli/asset-status';
import { generateClip } from '../../../local/cli/sample-clip';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import {
  CHROMIUM_INSTALL_TIMEOUT_MS,
  collectPageProblems,
  launchChromium,
  playInPage,
  readPlaybackState,
  waitForPlayback,
  waitForVodflowHook,
  type PlaybackState,
} from '../../support/browser';
import { publishClip, startTestRuntime } from '../../support/local-mode';

/**
 * Issue 3's promise, as a viewer meets it: a clip published in the real local mode plays in Chromium through the
 * local edge, with HLS (hls.js) and with DASH (dash.js), on the standalone player page. Every manifest and segment
 * request goes to the edge and carries the CloudFront cookies POST /api/play set; a viewer without them sees the
 * refusal and no picture.
 */
const CLIP = { durationSeconds: 20, width: 960, height: 540 };
const PLAYED_SECONDS = 5.5;
/** The page's own calls; every other XHR or fetch of the page is a player fetching a manifest or a segment. */
const PAGE_CALLS = /^\/(local\/config|auth\/token|api\/play\/)/;
const MANIFEST = { hls: /\.m3u8$/, dash: /\.mpd$/ } as const;
const SEGMENT = /\.(ts|aac|cmfv|cmfa|m4s|mp4|m4a|m4v)$/;
const CLOUDFRONT_COOKIES = ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id'];

let runtime: LocalRuntime | undefined;
let browser: Browser | undefined;
let asset: AssetView;

interface PlayerVisit {
  context: BrowserContext;
  page: Page;
  requests: Request[];
  problems: string[];
}
const visits: PlayerVisit[] = [];

function started(): { runtime: LocalRuntime; browser: Browser } {
  if (!runtime || !browser) throw new Error('beforeAll did not start the runtime and Chromium');
  return { runtime, browser };
}

/** Opens player.html in a fresh context (no cookies from earlier tests), recording every request the page makes. */
async function openPlayer(
  query: Record<string, string>,
  prepare: (context: BrowserContext) => Promise<unknown> = () => Promise.resolve(),
): Promise<PlayerVisit> {
  const { runtime: local, browser: chromium } = started();
  const context = await chromium.newContext();
  await prepare(context);
  const page = await context.newPage();
  const visit: PlayerVisit = { context, page, requests: [], problems: collectPageProblems(page) };
  visits.push(visit);
  page.on('request', (request) => visit.requests.push(request));
  await page.goto(`${local.endpoints.appUrl}/player.html?${new URLSearchParams(query).toString()}`);
  await waitForVodflowHook(page);
  return visit;
}

async function playFor(visit: PlayerVisit, seconds: number): Promise<PlaybackState> {
  try {
    return await waitForPlayback(visit.page, seconds, 30_000);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}\npage problems:\n${visit.problems.join('\n') || '(none)'}`, { cause: error });
  }
}

function mediaRequests(visit: PlayerVisit): Request[] {
  return visit.requests.filter(
    (request) => ['xhr', 'fetch'].includes(request.resourceType()) && !PAGE_CALLS.test(new URL(request.url()).pathname),
  );
}

function cookieValues(header: string): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0) cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
  }
  return cookies;
}

function policyResource(encodedPolicy: string): string {
  const json = Buffer.from(encodedPolicy.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
  const policy = JSON.parse(json.toString('utf8')) as { Statement?: { Resource?: unknown }[] };
  const resource = policy.Statement?.[0]?.Resource;
  if (typeof resource !== 'string') throw new Error('the CloudFront-Policy cookie has no Resource');
  return resource;
}

/** What each manifest or segment request looked like on the wire: where it went, its cookies and its answer. */
async function describeMediaRequests(visit: PlayerVisit) {
  return Promise.all(
    mediaRequests(visit).map(async (request) => {
      const url = new URL(request.url());
      const cookies = cookieValues((await request.allHeaders()).cookie ?? '');
      const policy = cookies.get('CloudFront-Policy');
      return {
        origin: url.origin,
        path: url.pathname,
        cookieNames: CLOUDFRONT_COOKIES.filter((name) => cookies.has(name)),
        resource: policy === undefined ? undefined : policyResource(policy),
        status: (await request.response())?.status(),
      };
    }),
  );
}

/** Waits for the page's fatal error, then a moment more so a player that wrongly started anyway would show it. */
async function waitForFatalError(visit: PlayerVisit): Promise<PlaybackState | undefined> {
  await visit.page.waitForFunction(
    () => (globalThis as { vodflow?: { state(): PlaybackState } }).vodflow?.state().fatalError !== undefined,
    undefined,
    { timeout: 10_000 },
  );
  await visit.page.waitForTimeout(1000);
  return readPlaybackState(visit.page);
}

async function assertPlayedThroughEdge(visit: PlayerVisit, protocol: 'hls' | 'dash'): Promise<void> {
  const { runtime: local } = started();
  const state = await playFor(visit, PLAYED_SECONDS);
  expect(state).toMatchObject({ protocol, assetId: asset.assetId });
  expect(state.fatalError).toBeUndefined();
  expect(state.currentTime).toBeGreaterThan(5);

  const requests = await describeMediaRequests(visit);
  const paths = requests.map((request) => request.path);
  expect(paths.filter((path) => MANIFEST[protocol].test(path)).length).toBeGreaterThanOrEqual(1);
  // Init and media segments, video and audio: more than 5 s played means at least two media segments per track.
  expect(paths.filter((path) => SEGMENT.test(path)).length).toBeGreaterThanOrEqual(4);
  const manifestUrl = asset.playback?.[protocol] ?? '';
  // Listed, not asserted one by one, so a failure names every request that went wrong.
  const misrouted = requests.filter((request) => request.origin !== local.endpoints.edgeUrl);
  const withoutCookies = requests.filter((request) => request.cookieNames.length !== CLOUDFRONT_COOKIES.length);
  const refused = requests.filter((request) => request.status !== 200 && request.status !== 206);
  expect({ misrouted, withoutCookies, refused }).toEqual({ misrouted: [], withoutCookies: [], refused: [] });
  // The cookies' policy covers this asset's manifests under a per-asset prefix, narrower than all of /out/v1/.
  const resources = new Set(requests.map((request) => request.resource ?? ''));
  expect(resources.size).toBe(1);
  const [resource = ''] = resources;
  expect(resource).toMatch(/\*$/);
  expect(resource.length).toBeGreaterThan(`${local.endpoints.edgeUrl}/out/v1/`.length + 1);
  expect(manifestUrl.startsWith(resource.slice(0, -1))).toBe(true);
  expect(asset.playback?.hls.startsWith(resource.slice(0, -1))).toBe(true);
  expect(asset.playback?.dash.startsWith(resource.slice(0, -1))).toBe(true);
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${String(timeoutMs)} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  // Chromium first: on a fresh machine its install is the slow part, and it needs no runtime.
  browser = await launchChromium();
  runtime = await startTestRuntime();
  const clip = await generateClip(join(runtime.dataDir, 'clips', 'browser-playback.mp4'), CLIP);
  asset = await publishClip(runtime, CLIP, { file: clip });
  await runtime.idle();
}, CHROMIUM_INSTALL_TIMEOUT_MS + 120_000);

async function closeVisits(): Promise<void> {
  for (const visit of visits.splice(0)) await visit.context.close().catch(() => undefined);
}

// A page left playing would take CPU from the next test's player.
afterEach(closeVisits);

afterAll(async () => {
  await closeVisits();
  await browser?.close();
  if (runtime) {
    await runtime.close();
    await rm(runtime.dataDir, { recursive: true, force: true });
  }
});

describe('playing a clip published in local mode, in Chromium, through the local edge', () => {
  it('has a READY asset with HLS and DASH URLs on the edge', () => {
    const { runtime: local } = started();
    expect(asset.status).toBe('READY');
    expect(asset.playback?.hls.startsWith(`${local.endpoints.edgeUrl}/out/v1/`)).toBe(true);
    expect(asset.playback?.dash.startsWith(`${local.endpoints.edgeUrl}/out/v1/`)).toBe(true);
  });

  it('plays more than 5 s with HLS, every manifest and segment fetched from the edge with the signed cookies', async () => {
    const visit = await openPlayer({ asset: asset.assetId, protocol: 'hls' });
    await assertPlayedThroughEdge(visit, 'hls');
  }, 45_000);

  it('plays more than 5 s with DASH, every manifest and segment fetched from the edge with the signed cookies', async () => {
    const visit = await openPlayer({ asset: asset.assetId, protocol: 'dash' });
    await assertPlayedThroughEdge(visit, 'dash');
  }, 45_000);

  it('refuses an anonymous viewer of a non-public asset: the page says why and nothing plays', async () => {
    const visit = await openPlayer({ asset: asset.assetId, protocol: 'hls', viewer: 'anonymous' });
    const state = await waitForFatalError(visit);
    expect(state?.fatalError).toMatch(/HTTP 40[13]/);
    expect(state?.currentTime).toBe(0);
    const status = visit.page.locator('#player-status');
    await expect(status.textContent()).resolves.toMatch(/HTTP 40[13]/);
    await expect(status.getAttribute('role')).resolves.toBe('alert');
    expect(mediaRequests(visit)).toEqual([]);
    expect((await visit.context.cookies()).map((cookie) => cookie.name)).toEqual([]);
  });

  it('shows the edge refusal (403) when the cookies never reach the browser, and nothing plays', async () => {
    const { runtime: local } = started();
    // POST /api/play answered as the API answers it, minus its Set-Cookie headers: the player then meets the edge
    // without cookies, as when a browser drops them.
    const visit = await openPlayer({ asset: asset.assetId, protocol: 'hls' }, (context) =>
      context.route(`${local.endpoints.edgeUrl}/api/play/**`, async (route) => {
        const request = route.request();
        const answer = await fetch(request.url(), { method: request.method(), headers: await request.allHeaders() });
        const headers = Object.fromEntries(
          [...answer.headers].filter(([name]) => !['set-cookie', 'content-length', 'content-encoding'].includes(name)),
        );
        await route.fulfill({ status: answer.status, headers, body: Buffer.from(await answer.arrayBuffer()) });
      }),
    );
    const state = await waitForFatalError(visit);
    expect(state?.fatalError).toMatch(/edge refused the stream \(HTTP 403\)/);
    expect(state?.currentTime).toBe(0);
    const requests = await describeMediaRequests(visit);
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(requests.every((request) => request.status === 403 && request.cookieNames.length === 0)).toBe(true);
  });

  it('shows the trick-play scenes on the page, their tiles loaded through the edge with the cookies, and seeks', async () => {
    const { runtime: local, browser: chromium } = started();
    const context = await chromium.newContext();
    const page = await context.newPage();
    const visit: PlayerVisit = { context, page, requests: [], problems: collectPageProblems(page) };
    visits.push(visit);
    const tiles: { url: string; status: number }[] = [];
    page.on('response', (response) => {
      if (/index_thumbnails\.\d{7}\.jpg$/.test(response.url()))
        tiles.push({ url: response.url(), status: response.status() });
    });
    await page.goto(`${local.endpoints.appUrl}/`);
    await waitForVodflowHook(page);
    await playInPage(page, asset.assetId, 'hls');

    const scenes = page.locator('#trick-play .scene');
    await scenes.nth(2).waitFor({ timeout: 15_000 });
    expect(await scenes.count()).toBe(Math.ceil(CLIP.durationSeconds / 6));
    await eventually(() => tiles.length >= 3, 10_000);
    expect(
      tiles.every((tile) => tile.status === 200 && tile.url.startsWith(`${local.endpoints.edgeUrl}/assets/`)),
    ).toBe(true);

    await scenes.nth(2).click();
    const currentTime = () =>
      page.locator('video').evaluate((video) => (video as unknown as { currentTime: number }).currentTime);
    await eventually(async () => (await currentTime()) >= 12, 10_000);
    expect(visit.problems).toEqual([]);
  });
});
