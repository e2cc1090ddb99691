import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForFinalStatus, type AssetView } from '../../local/cli/asset-status';
import { generateClip, type ClipShape } from '../../local/cli/sample-clip';
import { devToken, uploadFile } from '../../local/cli/upload-client';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime/local-runtime';

export const OPERATOR = { user: 'test-operator', entitlements: ['operator', 'uploader', 'subscriber'] };

/** Local mode on ephemeral ports in a fresh data folder, with the ASL's retry waits cut to zero. */
export async function startTestRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  return startLocalRuntime({
    dataDir: options.dataDir ?? (await mkdtemp(join(tmpdir(), 'vodflow-local-'))),
    port: 0,
    edgePort: 0,
    retryIntervalSeconds: 0,
    statusUpdateIntervalMs: 1000,
    ...options,
  });
}

export function operatorToken(runtime: LocalRuntime): Promise<string> {
  return devToken(runtime.endpoints, OPERATOR.user, OPERATOR.entitlements);
}

/**
 * Generates a clip (or takes `file`, already generated), uploads it through the API like the page does, and waits
 * for a final catalogue status.
 */
export async function publishClip(
  runtime: LocalRuntime,
  shape: ClipShape,
  options: { accessLevel?: string; file?: string } = {},
): Promise<AssetView> {
  const token = await operatorToken(runtime);
  const file = options.file ?? (await generateClip(join(runtime.dataDir, 'clips', `${randomUUID()}.mp4`), shape));
  const assetId = await uploadFile(runtime.endpoints, token, file, {
    ...(options.accessLevel ? { accessLevel: options.accessLevel } : {}),
  });
  return waitForFinalStatus(runtime.endpoints, token, assetId, () => undefined, 120_000);
}

export interface PlaybackSession {
  status: number;
  body: { playback?: { hls: string; dash: string }; thumbnails?: { poster: string; trickplay: string } };
  setCookies: string[];
  /** The Cookie header a browser would send with a request for `url`. */
  cookieFor(url: string): string;
}

/** POST /api/play through the edge, as the page does. */
export async function requestPlayback(
  runtime: LocalRuntime,
  assetId: string,
  token?: string,
): Promise<PlaybackSession> {
  const response = await fetch(`${runtime.endpoints.edgeUrl}/api/play/${assetId}`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const setCookies = response.headers.getSetCookie();
  return {
    status: response.status,
    body: (await response.json()) as PlaybackSession['body'],
    setCookies,
    cookieFor: (url) => cookieHeaderFor(setCookies, new URL(url).pathname),
  };
}

/** The Cookie header a browser would send for `path`: the most specific Path wins for each cookie name. */
export function cookieHeaderFor(setCookies: string[], path: string): string {
  const chosen = new Map<string, { value: string; pathLength: number }>();
  for (const line of setCookies) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const cookiePath = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
    if (!path.startsWith(cookiePath)) continue;
    const name = pair.slice(0, pair.indexOf('='));
    const current = chosen.get(name);
    if (!current || cookiePath.length > current.pathLength) {
      chosen.set(name, { value: pair.slice(name.length + 1), pathLength: cookiePath.length });
    }
  }
  return [...chosen].map(([name, { value }]) => `${name}=${value}`).join('; ');
}
