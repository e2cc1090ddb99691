import { isIPv4 } from 'node:net';
import { readAuthConfig } from '../commons/auth/auth-config';
import { createAuthenticator } from '../commons/auth/authenticate';
import { mayPlay } from '../commons/auth/entitlements';
import { onCdn } from '../commons/http/asset-views';
import { conflict, forbidden, notFound, unauthorized } from '../commons/http/api-errors';
import { getCatalogueAsset } from '../commons/http/catalogue-asset';
import { httpHandler, type HttpEvent, type HttpResult } from '../commons/http/http-handler';
import { assetFilesPrefixOf, playbackPrefixOf } from '../commons/http/playback-scope';
import { assetIdParameter, sourceIpOf } from '../commons/http/request-parts';
import { jsonResponse } from '../commons/http/responses';
import { logger } from '../commons/logger';
import { readPlaybackConfig } from './playback-config';
import { setCookieHeaders, type CookieScope } from './sign-cookies';
import { createSigningKeyCache } from './signing-key';

const config = readPlaybackConfig();
const auth = createAuthenticator(readAuthConfig());
const signingKey = createSigningKeyCache(config.signingKeySecretId, config.signingKeyCacheSeconds);
/** The CDN base URL may carry a path (an edge mounted under one); cookie paths must include it. */
const cdnBasePath = new URL(config.cdnBaseUrl).pathname.replace(/\/+$/, '');

export interface AuthorizePlaybackResponse {
  assetId: string;
  playback: { hls: string; dash: string };
  thumbnails: { poster?: string; trickplay?: string };
  expiresAt: string;
}

/**
 * POST /play/{assetId}: checks the caller may play the asset now and answers CloudFront signed cookies for two
 * scopes, the asset's packaged playback (HLS and DASH manifests and segments) and its files (poster, trick-play).
 */
async function authorizePlayback(event: HttpEvent): Promise<HttpResult> {
  const assetId = assetIdParameter(event);
  const caller = await auth.optionalCaller(event);
  const asset = await getCatalogueAsset(config.table, assetId);
  if (!asset) throw notFound(`no published asset ${assetId}`);
  const entitled = mayPlay(caller, asset.accessLevel);
  if (asset.status !== 'READY') {
    // Only a caller who could play it learns that it exists but is not playable (yet, or any more).
    if (entitled) throw conflict(`asset ${assetId} is ${asset.status}, not READY`);
    throw notFound(`no published asset ${assetId}`);
  }
  if (!entitled) {
    if (!caller) throw unauthorized('a bearer token is required to play this asset', false);
    throw forbidden(`playing this asset needs the "${asset.accessLevel}" entitlement`);
  }

  const playbackPrefix = asset.playback ? playbackPrefixOf(asset.playback) : undefined;
  if (!asset.playback || !playbackPrefix) {
    // A cookie wider than one asset would open others: refuse rather than sign it.
    logger.error('READY asset has no per-asset playback prefix, no cookies signed', { assetId });
    throw new Error('no per-asset playback prefix');
  }

  const now = Math.floor(Date.now() / 1000);
  const expiresAt = now + config.cookieTtlSeconds;
  const sourceIp = config.bindToIp ? ipToBind(event) : undefined;
  const key = await signingKey();
  const scopes: CookieScope[] = [playbackPrefix, assetFilesPrefixOf(assetId)].map((prefix) => ({
    resource: `${config.cdnBaseUrl}${prefix}*`,
    path: `${cdnBasePath}${prefix}`,
  }));
  const cookies = scopes.flatMap((scope) =>
    setCookieHeaders(scope, expiresAt, now, key, { ...config.cookies, ...(sourceIp ? { sourceIp } : {}) }),
  );

  logger.info('playback authorized', { assetId, subject: caller?.subject, expiresAt, ipBound: sourceIp !== undefined });
  const body: AuthorizePlaybackResponse = {
    assetId,
    playback: {
      hls: onCdn(asset.playback.hls, config.cdnBaseUrl) ?? asset.playback.hls,
      dash: onCdn(asset.playback.dash, config.cdnBaseUrl) ?? asset.playback.dash,
    },
    thumbnails: {
      poster: onCdn(asset.thumbnails?.poster, config.cdnBaseUrl),
      trickplay: onCdn(asset.thumbnails?.trickplay, config.cdnBaseUrl),
    },
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  };
  return jsonResponse(200, body, cookies);
}

/** CloudFront's IpAddress condition takes IPv4 only; an IPv6 caller gets cookies bound by time and path alone. */
function ipToBind(event: HttpEvent): string | undefined {
  const ip = sourceIpOf(event);
  if (isIPv4(ip)) return ip;
  logger.warn('caller address is not IPv4, cookies not bound to it', { ipVersion: 6 });
  return undefined;
}

export const handler = httpHandler(authorizePlayback);
