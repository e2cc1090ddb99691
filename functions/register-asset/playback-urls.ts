import type { EgressEndpoint } from '@aws-sdk/client-mediapackage-vod';
import type { PackagingResult } from '../commons/types';
import { PackagingMisconfigured } from './packaging-errors';

export interface PlaybackSettings {
  /** https://<distribution domain> in the cloud; the local edge's origin in local mode. */
  cdnBaseUrl: string;
  mediaBucket: string;
  hlsConfigurationId: string;
  dashConfigurationId: string;
}

function endpointUrl(endpoints: EgressEndpoint[], configurationId: string): URL {
  const url = endpoints.find((endpoint) => endpoint.PackagingConfigurationId === configurationId)?.Url;
  if (!url) {
    throw new PackagingMisconfigured(`the asset has no egress endpoint for packaging configuration ${configurationId}`);
  }
  return new URL(url);
}

/** s3://media-bucket/key -> https://cdn/key; the CDN serves the media bucket's assets/ prefix. */
function cdnUrlOfObject(uri: string, settings: PlaybackSettings): string {
  const prefix = `s3://${settings.mediaBucket}/`;
  if (!uri.startsWith(prefix)) {
    throw new PackagingMisconfigured(`${uri} is not in the media bucket the CDN serves`);
  }
  return `${settings.cdnBaseUrl}/${uri.slice(prefix.length)}`;
}

function folderPattern(path: string): string {
  return `${path.slice(0, path.lastIndexOf('/') + 1)}*`;
}

/**
 * Maps MediaPackage egress URLs (https://<group>.egress.mediapackage-vod.<region>.amazonaws.com/out/v1/...) to the
 * same paths on the CDN, which forwards /out/v1/* to the packaging group. Invalidation covers exactly this asset:
 * its packaged manifests' folders and its files in the media bucket.
 */
export function describePlayback(
  input: { assetId: string; mediaPackageAssetId: string; poster: string; trickplay: string },
  endpoints: EgressEndpoint[],
  settings: PlaybackSettings,
): PackagingResult {
  const hls = endpointUrl(endpoints, settings.hlsConfigurationId);
  const dash = endpointUrl(endpoints, settings.dashConfigurationId);
  const invalidationPaths = [
    ...new Set([folderPattern(hls.pathname), folderPattern(dash.pathname), `/assets/${input.assetId}/*`]),
  ];
  return {
    mediaPackageAssetId: input.mediaPackageAssetId,
    playback: {
      hls: `${settings.cdnBaseUrl}${hls.pathname}`,
      dash: `${settings.cdnBaseUrl}${dash.pathname}`,
    },
    thumbnails: {
      poster: cdnUrlOfObject(input.poster, settings),
      trickplay: cdnUrlOfObject(input.trickplay, settings),
    },
    invalidationPaths,
  };
}
