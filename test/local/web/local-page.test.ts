import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  CHROMIUM_INSTALL_TIMEOUT_MS,
  collectPageProblems,
  launchChromium,
  playInPage,
  readPlaybackState,
  waitForPlayback,
  waitForVodflowHook,
} from '../../support/browser';
import { startFakeLocalServers, type FakeLocalServers, type FakeVideo } from './fake-local-servers';
import { writeStreamingFixture } from './streaming-fixture';

const WEB_ROOT = join(__dirname, '..', '..', '..', 'local', 'web');
const PART_SIZE = 256 * 1024;

const catalogue: FakeVideo[] = [
  {
    assetId: 'clip',
    title: 'Test card',
    status: 'READY',
    accessLevel: 'subscriber',
    duration: 8,
    publishedAt: '2026-09-01T10:00:00Z',
  },
  { assetId: 'cookieless', title: 'Cookie lost on the way', status: 'READY', accessLevel: 'subscriber', duration: 8 },
  { assetId: 'encoding', title: 'Still encoding', status: 'TRANSCODING', accessLevel: 'subscriber', progress: 42 },
  {
    assetId: 'broken-job',
    title: 'Transcoder crashed',
    status: 'FAILED',
    accessLevel: 'subscriber',
    error: {
      state: 'Transcode',
      error: 'TranscodeJobFailed',
      cause: JSON.stringify({ errorType: 'TranscodeJobFailed', errorMessage: 'ffmpeg exited with code 1' }),
    },
  },
  {
    assetId: 'not-a-video',
    title: 'Holiday notes',
    status: 'REJECTED',
    accessLevel: 'subscriber',
    error: { state: 'ProbeSource', error: 'SourceRejected', cause: 'the source has no video stream' },
  },
];

let fake: FakeLocalServers;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
// Whatever beforeAll managed to start, stopped in reverse order even when a later step failed.
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  const workDir = await mkdtemp(join(tmpdir(), 'vodflow-web-'));
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));
  const mediaDir = join(workDir, 'media');
  await writeStreamingFixture(mediaDir);
  browser = await launchChromium();
  cleanups.push(() => browser.close());
  fake = await startFakeLocalServers({
    webRoot: WEB_ROOT,
    mediaDir,
    videos: catalogue,
    multipartThreshold: 512 * 1024,
    partSize: PART_SIZE,
    executions: [
      {
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:publish-video:clip-1',
        name: 'clip-1',
        status: 'SUCCEEDED',
        startDate: '2026-09-01T09:58:00Z',
        stopDate: '2026-09-01T10:00:00Z',
        redriveCount: 0,
      },
      {
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:publish-video:broken-job-1',
        name: 'broken-job-1',
        status: 'FAILED',
        startDate: '2026-09-01T10:01:00Z',
        stopDate: '2026-09-01T10:02:00Z',
        redriveCount: 0,
        failedState: 'Transcode',
      },
    ],
    queues: [
      { name: 'publish-video-events', depth: 0, messages: [] },
      {
        name: 'publish-video-dlq',
        depth: 1,
        messages: [
          {
            body: '{"assetId":"broken-job","failedState":"Transcode"}',
            attributes: {},
            sentAt: '2026-09-01T10:02:00Z',
            receiveCount: 0,
          },
        ],
      },
    ],
    topics: [
      {
        name: 'video-notifications',
        messages: [
          {
            message: '{"event":"video.failed","assetId":"broken-job"}',
            subject: 'video.failed',
            attributes: {},
            publishedAt: '2026-09-01T10:02:00Z',
          },
        ],
      },
    ],
  });
  cleanups.push(() => fake.close());
}, CHROMIUM_INSTALL_TIMEOUT_MS);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

beforeEach(async () => {
  context = await browser.newContext();
  page = await context.newPage();
  problems = collectPageProblems(page);
  await page.goto(fake.appUrl);
  await waitForVodflowHook(page);
});

afterEach(async () => {
  await context.close();
  // Refusals log console errors by design; an uncaught exception is always a page bug.
  expect(problems.filter((problem) => problem.startsWith('pageerror'))).toEqual([]);
});

const text = async (selector: string): Promise<string> => (await page.textContent(selector)) ?? '';

/** Records every text #asset-status shows, so a test can see states that only last one poll. */
async function recordAssetStatuses(): Promise<void> {
  await page.evaluate(() => {
    const scope = globalThis as unknown as {
      seenStatuses: string[];
      document: { getElementById(id: string): unknown };
    };
    scope.seenStatuses = [];
    const target = scope.document.getElementById('asset-status') as { textContent: string };
    const Observer = (
      globalThis as unknown as { MutationObserver: new (cb: () => void) => { observe(t: unknown, o: object): void } }
    ).MutationObserver;
    new Observer(() => scope.seenStatuses.push(target.textContent)).observe(target, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
}

/** Waits until the catalogue (re)rendered with only these statuses; returns the asset ids shown, in order. */
async function waitForCatalogueOf(statuses: string[]): Promise<string[]> {
  await page.waitForFunction((allowed) => {
    const scope = globalThis as unknown as {
      document: { querySelectorAll(s: string): Iterable<{ getAttribute(name: string): string | null }> };
    };
    const cards = [...scope.document.querySelectorAll('#catalogue-list .card')];
    return cards.length > 0 && cards.every((card) => allowed.includes(card.getAttribute('data-status') ?? ''));
  }, statuses);
  return page
    .locator('#catalogue-list .card')
    .evaluateAll((nodes) => nodes.map((node) => String(node.getAttribute('data-asset-id'))));
}

const seenStatuses = (): Promise<string[]> =>
  page.evaluate(() => (globalThis as unknown as { seenStatuses: string[] }).seenStatuses);

describe('local page', () => {
  it('signs in the dev user and lists the whole catalogue for the operator, playable entries with play buttons', async () => {
    await page.waitForSelector('#catalogue-list [data-asset-id="not-a-video"]');

    expect(await text('#session-status')).toBe('Signed in as dev (operator, uploader, subscriber)');
    const cards = await Promise.all(
      (await page.locator('#catalogue-list .card').all()).map(async (card) => ({
        id: await card.getAttribute('data-asset-id'),
        badge: await card.locator('.badge').textContent(),
        buttons: await card.locator('button').allTextContents(),
      })),
    );
    expect(cards).toEqual(
      expect.arrayContaining([
        { id: 'clip', badge: 'Ready', buttons: ['Play HLS', 'Play DASH', 'Status'] },
        { id: 'encoding', badge: 'Transcoding', buttons: ['Status'] },
        { id: 'broken-job', badge: 'Failed', buttons: ['Status'] },
        { id: 'not-a-video', badge: 'Rejected', buttons: ['Status'] },
      ]),
    );
    expect(cards).toHaveLength(catalogue.length);

    await page.selectOption('#catalogue-filter', 'READY');
    expect(await waitForCatalogueOf(['READY'])).toEqual(['clip', 'cookieless']);
  });

  it("shows a failed asset's state and cause, and a rejected asset's reason", async () => {
    await page.click('#catalogue-list [data-asset-id="broken-job"] button:has-text("Status")');
    await page.waitForSelector('#asset-status[data-status="FAILED"]');
    expect(await text('#asset-status')).toBe('Failed at Transcode');
    expect(await text('#asset-detail')).toBe('TranscodeJobFailed: ffmpeg exited with code 1');

    await page.click('#catalogue-list [data-asset-id="not-a-video"] button:has-text("Status")');
    await page.waitForSelector('#asset-status[data-status="REJECTED"]');
    expect(await text('#asset-detail')).toBe('SourceRejected: the source has no video stream');
  });

  it('uploads with one PUT, shows 100%, then follows the asset through transcoding to READY', async () => {
    const file = Buffer.alloc(300 * 1024, 7);
    await recordAssetStatuses();
    await page.fill('#upload-title', 'My holiday');
    await page.setInputFiles('#upload-file', { name: 'holiday.mp4', mimeType: 'video/mp4', buffer: file });
    await page.click('#upload-button');

    await page.waitForSelector('#asset-status[data-status="READY"]', { timeout: 15_000 });
    const upload = fake.uploads.get('upload-1')!;
    expect(upload).toMatchObject({
      fileName: 'holiday.mp4',
      contentType: 'video/mp4',
      declaredSize: file.length,
      receivedBytes: file.length,
    });
    expect(await page.getAttribute('#upload-progress', 'value')).toBe('100');
    expect(await text('#upload-status')).toBe('Uploaded holiday.mp4 (300 KB) as upload-1.');
    expect(await seenStatuses()).toEqual(
      expect.arrayContaining(['Ingested', 'Transcoding 40%', 'Transcoding 80%', 'Ready']),
    );
    expect(fake.videos.get('upload-1')?.title).toBe('My holiday');
    expect(await page.locator('#asset-actions button').allTextContents()).toEqual(['Play HLS', 'Play DASH']);
  });

  it('uploads a large file in parts, two at a time, completing with every part ETag in order', async () => {
    const file = Buffer.alloc(PART_SIZE * 3 + 1000, 1);
    file.fill(2, PART_SIZE, PART_SIZE * 2); // distinct parts, distinct ETags
    await page.setInputFiles('#upload-file', { name: 'long-take.mov', mimeType: 'video/quicktime', buffer: file });
    await page.click('#upload-button');

    await page.waitForFunction(() => {
      const scope = globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } };
      return /^Uploaded|^Upload failed/.test(scope.document.getElementById('upload-status').textContent);
    });
    expect(await text('#upload-status')).toMatch(/^Uploaded long-take\.mov \(769 KB\) as upload-\d+\.$/);
    expect(await page.getAttribute('#upload-progress', 'value')).toBe('100');
    const upload = [...fake.uploads.values()].find((candidate) => candidate.fileName === 'long-take.mov')!;
    expect(upload.receivedBytes).toBe(file.length);
    expect(upload.completedWith?.map((part) => part.partNumber)).toEqual([1, 2, 3, 4]);
    expect(upload.completedWith?.map((part) => part.etag)).toEqual([1, 2, 3, 4].map((n) => upload.parts.get(n)?.etag));
    expect(fake.maxConcurrentParts).toBeLessThanOrEqual(2);
    expect(upload.aborted).toBe(false);
  });

  it('aborts a multipart upload when a part fails and says why', async () => {
    await page.setInputFiles('#upload-file', {
      name: 'broken.mp4',
      mimeType: 'video/mp4',
      buffer: Buffer.alloc(PART_SIZE * 3, 3),
    });
    await page.click('#upload-button');

    await page.waitForSelector('#upload-status.error');
    expect(await text('#upload-status')).toBe('Upload failed: PUT upload refused with HTTP 500: part store failed');
    const upload = [...fake.uploads.values()].find((candidate) => candidate.fileName === 'broken.mp4')!;
    expect(upload.aborted).toBe(true);
    expect(upload.completedWith).toBeUndefined();
  });

  it('plays with hls.js through the edge cookie for more than 3 s, then shows the poster the cookie covers', async () => {
    await playInPage(page, 'clip', 'hls');
    const state = await waitForPlayback(page, 3);

    expect(state).toMatchObject({ protocol: 'hls', assetId: 'clip' });
    expect(state.currentTime).toBeGreaterThan(3);
    const segments = fake.edgeRequests.filter((request) => request.path.startsWith('/out/v1/clip/chunk-'));
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.every((request) => request.status === 200 && request.origin === fake.appUrl)).toBe(true);
    const posterLoaded = await page.waitForFunction(() => {
      const scope = globalThis as unknown as {
        document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null };
      };
      const image = scope.document.querySelector('#catalogue-list [data-asset-id="clip"] img.poster');
      return image !== null && image.complete && image.naturalWidth === 320;
    });
    expect(await posterLoaded.jsonValue()).toBe(true);
  });

  it('plays with dash.js (credentials on every request) for more than 3 s', async () => {
    const before = fake.edgeRequests.length;
    await playInPage(page, 'clip', 'dash');
    const state = await waitForPlayback(page, 3);

    expect(state).toMatchObject({ protocol: 'dash', assetId: 'clip' });
    const requests = fake.edgeRequests.slice(before);
    expect(requests.map((request) => request.path)).toEqual(
      expect.arrayContaining([
        '/out/v1/clip/manifest.mpd',
        '/out/v1/clip/init-stream0.mp4',
        '/out/v1/clip/chunk-stream0-00001.mp4',
      ]),
    );
    // Only the DASH stream's own requests: a request of the previous player (hls.js) may still land after `before`.
    const dashRequests = requests.filter((request) =>
      /^\/out\/v1\/clip\/(manifest\.mpd|init-stream\d+\.mp4|chunk-stream\d+-\d+\.mp4)$/.test(request.path),
    );
    expect(dashRequests.filter((request) => request.status !== 200)).toEqual([]);
    expect(requests.filter((request) => request.status === 403)).toEqual([]);
  });

  it('shows the edge 403 as an error when the signed cookie is missing, with hls.js and dash.js', async () => {
    await expect(playInPage(page, 'cookieless', 'hls')).rejects.toThrow(/HTTP 403/);

    const state = await readPlaybackState(page);
    expect(state?.fatalError).toMatch(/^The edge refused the stream \(HTTP 403\): the signed cookies are missing/);
    expect(await text('#player-status')).toBe(state?.fatalError);
    expect(await page.getAttribute('#player-status', 'role')).toBe('alert');
    expect(fake.edgeRequests).toContainEqual({
      path: '/out/v1/cookieless/master.m3u8',
      status: 403,
      origin: fake.appUrl,
    });

    await expect(playInPage(page, 'cookieless', 'dash')).rejects.toThrow(/HTTP 403/);
    expect(await text('#player-status')).toMatch(/^The edge refused the stream \(HTTP 403\).*dash\.js/);
  });

  it('the anonymous viewer sees only published videos, cannot upload and is told to sign in to play', async () => {
    await page.selectOption('#identity', 'anonymous');
    const shown = await waitForCatalogueOf(['READY']);
    expect(shown).toEqual(expect.arrayContaining(['clip', 'cookieless']));
    expect(shown).not.toContain('encoding');
    expect(await text('#session-status')).toBe('Anonymous viewer (no token)');
    expect(await page.isDisabled('#upload-button')).toBe(true);

    await expect(playInPage(page, 'clip', 'dash')).rejects.toThrow(
      'Sign in to play this video: a bearer token is required (HTTP 401)',
    );
    expect(await text('#player-status')).toBe('Sign in to play this video: a bearer token is required (HTTP 401)');
  });

  it('shows executions, the dead-letter queue with its message, and notifications in the pipeline panel', async () => {
    await page.waitForSelector('#pipeline-executions tr[data-status="FAILED"]');
    expect(await text('#pipeline-executions tr[data-status="FAILED"]')).toContain('broken-job-1');
    expect(await text('#pipeline-executions tr[data-status="FAILED"]')).toContain('Transcode');
    expect(await page.getAttribute('[data-queue="publish-video-dlq"]', 'class')).toBe('queue alert');
    expect(await text('[data-queue="publish-video-dlq"] .depth')).toBe('depth 1');
    await page.click('[data-queue="publish-video-dlq"] summary');
    expect(await text('[data-queue="publish-video-dlq"] pre')).toContain('"failedState": "Transcode"');
    expect(await text('[data-topic="video-notifications"]')).toContain('video.failed');
  });
});

describe('standalone player page', () => {
  it('plays player.html?asset=…&protocol=dash with the same hook', async () => {
    await page.goto(`${fake.appUrl}/player.html?asset=clip&protocol=dash`);
    const state = await waitForPlayback(page, 3);
    expect(state).toMatchObject({ protocol: 'dash', assetId: 'clip' });
    expect(await text('#player-status')).toBe('clip with DASH');
  });
});
