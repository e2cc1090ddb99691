/**
 * The path prefix one cookie scope covers for an asset's packaged playback: the common directory of its HLS and
 * DASH URLs. MediaPackage VOD egress paths are /out/v1/<asset-hash>/<configuration-hash>/<hash>/<manifest>, and the
 * asset hash is shared by all of an asset's packaging configurations, so the common directory is
 * /out/v1/<asset-hash>/: every manifest and segment of this asset, nothing of any other.
 */
export function playbackPrefixOf(playback: { hls: string; dash: string }): string | undefined {
  const hls = new URL(playback.hls).pathname.split('/');
  const dash = new URL(playback.dash).pathname.split('/');
  // Directories only: the last element of each path is the manifest file.
  const common: string[] = [];
  for (let index = 0; index < Math.min(hls.length, dash.length) - 1; index += 1) {
    if (hls[index] !== dash[index]) break;
    common.push(hls[index] ?? '');
  }
  const prefix = `${common.join('/')}/`;
  return isNarrowEnough(prefix) ? prefix : undefined;
}

/** Never wider than one asset's egress folder: /out/v1/<x>/ at least, with no empty or dot segments. */
function isNarrowEnough(prefix: string): boolean {
  const match = /^\/out\/v1\/([^/]+)\/(.*)$/.exec(prefix);
  if (!match) return false;
  const segments = prefix.split('/').slice(1, -1);
  return segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !/[*?]/.test(segment));
}

/** The media bucket's files of an asset (poster, trick-play tiles), served by the CDN under /assets/. */
export function assetFilesPrefixOf(assetId: string): string {
  return `/assets/${assetId}/`;
}
