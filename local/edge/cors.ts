/**
 * CORS as a CloudFront response headers policy with credentials configures it: the exact allowed origin (never `*`,
 * which browsers refuse with credentials), Allow-Credentials, and the headers a player reads. Other origins get no
 * CORS headers at all, so the browser blocks the read.
 */
const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';
const ALLOWED_REQUEST_HEADERS = 'Range, Accept, Accept-Language, Content-Language, If-None-Match, If-Modified-Since';
const EXPOSED_HEADERS = 'Content-Length, Content-Range';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

export function corsHeaders(origin: string | undefined, allowedOrigins: ReadonlySet<string>): Record<string, string> {
  if (origin === undefined || !allowedOrigins.has(origin)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
  };
}

/** Headers of a preflight answer, or undefined when the origin may not read this distribution's responses. */
export function preflightHeaders(
  origin: string | undefined,
  allowedOrigins: ReadonlySet<string>,
): Record<string, string> | undefined {
  if (origin === undefined || !allowedOrigins.has(origin)) return undefined;
  return {
    ...corsHeaders(origin, allowedOrigins),
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS,
    'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_SECONDS,
  };
}
