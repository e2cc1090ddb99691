import { booleanEnv, numberEnv, optionalEnv, requiredEnv } from '../commons/config';
import { MissingConfiguration } from '../commons/errors';
import type { CookieSettings } from './sign-cookies';

export interface PlaybackConfig {
  table: string;
  cdnBaseUrl: string;
  signingKeySecretId: string;
  signingKeyCacheSeconds: number;
  cookieTtlSeconds: number;
  bindToIp: boolean;
  cookies: CookieSettings;
}

const SAME_SITE = { strict: 'Strict', lax: 'Lax', none: 'None' } as const;

/** Read once at cold start. Combinations a browser would silently drop (SameSite=None without Secure) fail here. */
export function readPlaybackConfig(): PlaybackConfig {
  const cdnBaseUrl = requiredEnv('CDN_BASE_URL').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(cdnBaseUrl)) {
    throw new MissingConfiguration(`CDN_BASE_URL must be an http(s) URL without query, got "${cdnBaseUrl}"`);
  }
  const sameSiteName = (optionalEnv('COOKIE_SAME_SITE') ?? 'None').toLowerCase();
  if (!(sameSiteName in SAME_SITE)) {
    throw new MissingConfiguration('COOKIE_SAME_SITE must be Strict, Lax or None');
  }
  const sameSite = SAME_SITE[sameSiteName as keyof typeof SAME_SITE];
  const secure = booleanEnv('COOKIE_SECURE', true);
  if (sameSite === 'None' && !secure) {
    throw new MissingConfiguration('COOKIE_SAME_SITE=None needs COOKIE_SECURE=true: browsers drop such cookies');
  }
  const domain = optionalEnv('COOKIE_DOMAIN');
  return {
    table: requiredEnv('CATALOGUE_TABLE'),
    cdnBaseUrl,
    signingKeySecretId: requiredEnv('SIGNING_KEY_SECRET_ID'),
    signingKeyCacheSeconds: numberEnv('SIGNING_KEY_CACHE_SECONDS', 300),
    cookieTtlSeconds: Math.floor(numberEnv('COOKIE_TTL_SECONDS', 300)),
    bindToIp: booleanEnv('COOKIE_BIND_IP', false),
    cookies: {
      keyPairId: requiredEnv('CLOUDFRONT_KEY_PAIR_ID'),
      secure,
      sameSite,
      ...(domain ? { domain } : {}),
    },
  };
}
