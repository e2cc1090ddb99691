import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../local/runtime/project-root';

/**
 * The README's run command on a fresh data folder: `npm start` serves the page and publishes a generated sample
 * clip, which becomes playable (READY, public, its manifest served by the edge with the cookies /api/play sets).
 */
let child: ChildProcess;
let dataDir: string;
let output = '';

function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no ${String(pattern)} within ${String(timeoutMs)} ms; output so far:\n${output}`));
    }, timeoutMs);
    const check = () => {
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`npm start exited early; output:\n${output}`));
    });
    check();
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-start-'));
  child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--data', dataDir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_LEVEL: 'error' },
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
});

afterAll(async () => {
  if (child.pid !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start on a fresh data folder', () => {
  it('serves the page and publishes the sample, which becomes playable', async () => {
    const [, appUrl] = await waitForOutput(/page\s+(http:\/\/127\.0\.0\.1:\d+)\//, 60_000);
    const page = await fetch(`${appUrl ?? ''}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    const [, assetId] = await waitForOutput(/watch it: \S+player\.html\?asset=([0-9a-z]+)/, 150_000);
    const [, edgeUrl] = /edge\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output) ?? [];
    const video = (await (await fetch(`${appUrl ?? ''}/api/videos/${assetId ?? ''}`)).json()) as {
      status: string;
      playback?: { hls: string };
    };
    expect(video.status).toBe('READY');

    // The sample is public: the entitlement endpoint mints cookies without a token, and the edge honours them.
    const play = await fetch(`${edgeUrl ?? ''}/api/play/${assetId ?? ''}`, { method: 'POST' });
    expect(play.status).toBe(200);
    const cookies = play.headers
      .getSetCookie()
      .filter((line) => /Path=\/out\/v1\//i.test(line))
      .map((line) => line.split(';')[0])
      .join('; ');
    const manifest = await fetch(video.playback?.hls ?? '', { headers: { cookie: cookies } });
    expect(manifest.status).toBe(200);
    expect(await manifest.text()).toContain('#EXT-X-STREAM-INF');
  }, 240_000);
});
