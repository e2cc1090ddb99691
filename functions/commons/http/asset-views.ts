import { isOperator, type Caller } from '../auth/entitlements';
import type { CatalogueAsset } from './catalogue-asset';

/** One line of GET /videos. */
export interface AssetSummary {
  assetId: string;
  title?: string;
  status: string;
  accessLevel: string;
  duration?: number;
  poster?: string;
  publishedAt?: string;
}

/** GET /videos/{assetId}: what the record says, minus what the caller may not see. */
export interface AssetDetail extends AssetSummary {
  progress?: number;
  renditions?: { name: string; width: number; height: number; maxBitrate: number; codec: string }[];
  trickplay?: string;
  playback?: { hls: string; dash: string };
  createdAt?: string;
  updatedAt?: string;
  unpublishedAt?: string;
  error?: { state?: string; code?: string; cause?: string; failedAt?: string };
}

/**
 * CDN URLs are served under the configured CDN base URL (a custom domain, or the local edge) whatever host the
 * workflow recorded, so the URLs a client gets and the cookie scope it is given always agree.
 */
export function onCdn(url: string | undefined, cdnBaseUrl: string | undefined): string | undefined {
  if (url === undefined || cdnBaseUrl === undefined) return url;
  const parsed = new URL(url);
  return `${cdnBaseUrl.replace(/\/+$/, '')}${parsed.pathname}${parsed.search}`;
}

export function summaryOf(asset: CatalogueAsset, cdnBaseUrl: string | undefined): AssetSummary {
  return {
    assetId: asset.assetId,
    title: asset.title,
    status: asset.status,
    accessLevel: asset.accessLevel,
    duration: asset.media?.durationSeconds,
    poster: onCdn(asset.thumbnails?.poster, cdnBaseUrl),
    publishedAt: asset.publishedAt,
  };
}

/**
 * Who sees what: operators everything; the uploader their own asset in any state, with the rejection reason
 * (REJECTED records carry only the message meant for the uploader); everyone else READY assets only (the caller
 * turns anything else into a 404). Playback URLs only while READY.
 */
export function detailOf(
  asset: CatalogueAsset,
  caller: Caller | undefined,
  cdnBaseUrl: string | undefined,
): AssetDetail {
  const operator = isOperator(caller);
  const showError = operator || (asset.status === 'REJECTED' && isUploader(asset, caller));
  return {
    ...summaryOf(asset, cdnBaseUrl),
    progress: asset.status === 'READY' ? 100 : asset.job?.progress,
    renditions: asset.renditions,
    trickplay: onCdn(asset.thumbnails?.trickplay, cdnBaseUrl),
    ...(asset.status === 'READY' && asset.playback
      ? {
          playback: {
            hls: cdnOrSame(asset.playback.hls, cdnBaseUrl),
            dash: cdnOrSame(asset.playback.dash, cdnBaseUrl),
          },
        }
      : {}),
    createdAt: asset.createdAt,
    updatedAt: asset.updatedAt,
    unpublishedAt: operator ? asset.unpublishedAt : undefined,
    ...(showError && asset.error ? { error: asset.error } : {}),
  };
}

/** Whether the caller may see this asset outside READY. */
export function maySeeUnpublished(asset: CatalogueAsset, caller: Caller | undefined): boolean {
  return isOperator(caller) || isUploader(asset, caller);
}

function isUploader(asset: CatalogueAsset, caller: Caller | undefined): boolean {
  return caller !== undefined && caller.subject !== '' && asset.uploadedBy === caller.subject;
}

function cdnOrSame(url: string, cdnBaseUrl: string | undefined): string {
  return onCdn(url, cdnBaseUrl) ?? url;
}
