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

/** Polls the catalogue (as an operator) until the asset reaches a final status. */
export async function waitForFinalStatus(
  server: ServerInfo,
  token: string,
  assetId: string,
  onUpdate: (asset: AssetView) => void,
  timeoutMs = 30 * 60 * 1000,
): Promise<AssetView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const asset = await getAsset(server, token, assetId).catch(() => undefined);
    if (asset) {
      onUpdate(asset);
      if (FINAL_STATUSES.has(asset.status)) return asset;
    }
    if (Date.now() > deadline) throw new Error(`asset ${assetId} did not finish within ${String(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
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
