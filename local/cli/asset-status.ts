import { apiJson, type ServerInfo } from './upload-client';

export interface AssetView {
  assetId: string;
  title?: string;
  status: string;
  progress?: number;
  duration?: number;
  renditions?: { name: string; width: number; height: number }[];
  playback?: { hls: string; dash: string };
  error?: { state?: string; error?: string; cause?: string };
}

export const FINAL_STATUSES = new Set(['READY', 'FAILED', 'REJECTED', 'UNPUBLISHED']);

export function getAsset(server: ServerInfo, token: string, assetId: string): Promise<AssetView> {
  return apiJson<AssetView>(server, `/api/videos/${encodeURIComponent(assetId)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Between polls (tests pass one that returns at once). */
  sleep?: (ms: number) => Promise<void>;
  /** Polls in a row that get no answer before the server is taken for gone (500 ms apart: about 10 s). */
  maxUnanswered?: number;
}

/** The server stopped answering while the CLI waited: said at once, not after the whole timeout. */
export class ServerUnreachable extends Error {
  override readonly name = 'ServerUnreachable';
}

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Polls the catalogue (as an operator) until the asset reaches a final status. A poll that gets no answer is tried
 * again (a restart, a busy server), but a server that stays silent ends the wait with ServerUnreachable, which says
 * how to follow the asset once local mode runs again.
 */
export async function waitForFinalStatus(
  server: ServerInfo,
  token: string,
  assetId: string,
  onUpdate: (asset: AssetView) => void,
  options: WaitOptions | number = {},
): Promise<AssetView> {
  const {
    timeoutMs = 30 * 60 * 1000,
    sleep = realSleep,
    maxUnanswered = 20,
  } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let unanswered = 0;
  for (;;) {
    let asset: AssetView | undefined;
    try {
      asset = await getAsset(server, token, assetId);
      unanswered = 0;
    } catch (error) {
      unanswered += 1;
      if (unanswered >= maxUnanswered) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ServerUnreachable(
          `the vodflow server at ${server.appUrl} stopped answering (${reason}); the publish goes on when local mode ` +
            `runs again: follow it with \`vodflow status ${assetId}\``,
        );
      }
    }
    if (asset) {
      onUpdate(asset);
      if (FINAL_STATUSES.has(asset.status)) return asset;
    }
    if (Date.now() > deadline) throw new Error(`asset ${assetId} did not finish within ${String(timeoutMs / 1000)} s`);
    await sleep(500);
  }
}

export function describeAsset(asset: AssetView): string {
  const lines = [`${asset.assetId}  ${asset.status}${asset.title ? `  "${asset.title}"` : ''}`];
  if (asset.status === 'TRANSCODING' && asset.progress !== undefined)
    lines.push(`  transcode ${String(asset.progress)}%`);
  if (asset.duration !== undefined) lines.push(`  duration ${asset.duration.toFixed(1)} s`);
  if (asset.renditions?.length) {
    lines.push(
      `  renditions ${asset.renditions.map((r) => `${r.name} ${String(r.width)}x${String(r.height)}`).join(', ')}`,
    );
  }
  if (asset.playback) lines.push(`  hls  ${asset.playback.hls}`, `  dash ${asset.playback.dash}`);
  if (asset.error) {
    lines.push(
      `  error at ${asset.error.state ?? '?'}: ${asset.error.error ?? ''} ${asset.error.cause ?? ''}`.trimEnd(),
    );
  }
  return lines.join('\n');
}
