import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium: `npx playwright install` cannot download browsers here (see FINDINGS.md "Browser playback"). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags verified on these machines; Playwright gives every launch a fresh temporary user-data-dir. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** How long a first run may take to apt-get Chromium: give the suite's beforeAll at least this. */
export const CHROMIUM_INSTALL_TIMEOUT_MS = 300_000;

const INSTALL_SCRIPT = join(__dirname, '..', '..', 'scripts', 'install-chromium.mjs');

/** Installs Chromium through scripts/install-chromium.mjs when it is missing; throws its instruction otherwise. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const result = spawnSync(process.execPath, [INSTALL_SCRIPT], {
    encoding: 'utf8',
    timeout: CHROMIUM_INSTALL_TIMEOUT_MS,
  });
  if (result.status !== 0 || !existsSync(CHROMIUM_PATH)) {
    const reason = (result.stderr || result.error?.message || '').trim();
    throw new Error(`Chromium is not available at ${CHROMIUM_PATH}: ${reason || 'the install script failed'}`);
  }
}

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_FLAGS] });
}

/** What `window.vodflow.state()` returns on the local page and the standalone player. */
export interface PlaybackState {
  currentTime: number;
  paused: boolean;
  protocol?: 'hls' | 'dash';
  assetId?: string;
  fatalError?: string;
}

// Read inside the browser through globalThis: the tests' tsconfig has no DOM types.
interface VodflowHook {
  play(assetId: string, protocol: 'hls' | 'dash'): Promise<void>;
  state(): PlaybackState;
}

/** Waits until the page has exposed window.vodflow (after it loaded its config and signed in). */
export async function waitForVodflowHook(page: Page, timeoutMs = 10_000): Promise<void> {
  await page.waitForFunction(() => (globalThis as { vodflow?: unknown }).vodflow !== undefined, undefined, {
    timeout: timeoutMs,
  });
}

export async function readPlaybackState(page: Page): Promise<PlaybackState | undefined> {
  return page.evaluate(() => (globalThis as { vodflow?: VodflowHook }).vodflow?.state());
}

/**
 * Calls window.vodflow.play in the page. Resolves when the manifest is loaded; rejects with the page's explanation
 * (a refused /play, or the player's fatal error) so tests can assert on it.
 */
export async function playInPage(page: Page, assetId: string, protocol: 'hls' | 'dash'): Promise<void> {
  await waitForVodflowHook(page);
  await page.evaluate(
    async ([id, chosen]) => {
      const hook = (globalThis as { vodflow?: VodflowHook }).vodflow;
      if (!hook) throw new Error('window.vodflow is missing');
      await hook.play(id, chosen);
    },
    [assetId, protocol] as const,
  );
}

/**
 * Waits until the video has played past `seconds`. Fails early with the page's fatalError when the player gives up,
 * and on timeout with the last state seen, so a failure says why.
 */
export async function waitForPlayback(page: Page, seconds: number, timeoutMs = 30_000): Promise<PlaybackState> {
  try {
    const handle = await page.waitForFunction(
      (threshold) => {
        const state = (globalThis as { vodflow?: VodflowHook }).vodflow?.state();
        if (state === undefined) return false;
        return state.fatalError !== undefined || state.currentTime > threshold ? state : false;
      },
      seconds,
      { timeout: timeoutMs, polling: 100 },
    );
    const state = (await handle.jsonValue()) as PlaybackState;
    if (state.fatalError !== undefined) throw new Error(`playback failed: ${state.fatalError}`);
    return state;
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('playback failed')) throw error;
    const last = await readPlaybackState(page).catch(() => undefined);
    throw new Error(`playback did not pass ${seconds} s within ${timeoutMs} ms; last state ${JSON.stringify(last)}`, {
      cause: error,
    });
  }
}

/** Console errors and uncaught exceptions of a page, to print when a browser test fails. */
export function collectPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return problems;
}
