import type { HttpResult } from './http-handler';

/**
 * A JSON answer. `no-store`: these responses carry pre-signed URLs, cookies or per-caller views that no cache may
 * keep. Set-Cookie goes in `cookies` (payload format 2.0), one entry per cookie.
 */
export function jsonResponse(statusCode: number, body: unknown, cookies?: string[]): HttpResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
  };
}
