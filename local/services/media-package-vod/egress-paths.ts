import { createHash, randomBytes } from 'node:crypto';

/**
 * Egress URLs have AWS's shape: /out/v1/<asset-hash>/<configuration-hash>/<manifest-hash>/<file>. The asset hash is
 * the same for every configuration of one asset, so one signed-cookie policy (`/out/v1/<asset-hash>/*`) opens the
 * asset's HLS and DASH and nothing else.
 */
export interface EgressLocation {
  assetHash: string;
  configHash: string;
  manifestHash: string;
  /** The file below the manifest folder, decoded, posix-relative (`index.m3u8`, `video_720p_00001.m4s`). */
  file: string;
}

const HASH = /^[0-9a-f]{32}$/;

export function newAssetHash(): string {
  return randomBytes(16).toString('hex');
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

export function configurationHashes(assetHash: string, configurationId: string) {
  const configHash = digest(assetHash, configurationId);
  return { configHash, manifestHash: digest(configHash, 'manifest') };
}

export function egressFolder(assetHash: string, configHash: string, manifestHash: string): string {
  return `/out/v1/${assetHash}/${configHash}/${manifestHash}/`;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Parses a request path; undefined for anything that is not a well-formed egress path (never escapes the folder). */
export function parseEgressPath(pathname: string): EgressLocation | undefined {
  const parts = pathname.split('/');
  if (parts[0] !== '' || parts[1] !== 'out' || parts[2] !== 'v1') return undefined;
  const [assetHash, configHash, manifestHash] = [parts[3], parts[4], parts[5]];
  if (!assetHash || !configHash || !manifestHash) return undefined;
  if (![assetHash, configHash, manifestHash].every((hash) => HASH.test(hash))) return undefined;
  const fileSegments = parts.slice(6).map(decodeSegment);
  if (fileSegments.length === 0) return undefined;
  for (const segment of fileSegments) {
    if (segment === undefined || segment === '' || segment === '.' || segment === '..') return undefined;
    if (/[\\/\0]/.test(segment)) return undefined;
  }
  return { assetHash, configHash, manifestHash, file: fileSegments.join('/') };
}
