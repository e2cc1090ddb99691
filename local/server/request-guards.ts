import type { IncomingMessage } from 'node:http';

/** A request the local servers refuse as the client's fault: its status and a message safe to show. */
export class LocalRequestRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'LocalRequestRefused';
  }
}

export const refusals = {
  badRequest: (message = 'Bad Request') => new LocalRequestRefused(400, message),
  crossSite: () => new LocalRequestRefused(403, 'cross-site requests are refused'),
  tooLarge: () => new LocalRequestRefused(413, 'Request Entity Too Large'),
  notJson: () => new LocalRequestRefused(415, 'the request body must be application/json'),
};

/**
 * The request target as a URL, or a 400 when it is not one (`//`, a bare `%`): `new URL` throws on targets a
 * raw HTTP client can send, and a handler must never let that escape.
 */
export function requestUrl(request: IncomingMessage, base: string): URL {
  const target = request.url ?? '/';
  if (!target.startsWith('/') || target.startsWith('//')) throw refusals.badRequest();
  try {
    return new URL(target, base);
  } catch {
    throw refusals.badRequest();
  }
}

/** decodeURIComponent that answers 400 for a malformed escape instead of throwing URIError. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw refusals.badRequest();
  }
}

/**
 * Whether a browser sent this request on behalf of another site. Browsers send `Sec-Fetch-Site` (anything but
 * `same-origin` or `none` is another site) and `Origin` on every POST; a CLI sends neither and is allowed.
 */
export function isCrossSite(request: IncomingMessage, ownOrigin: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  return origin !== undefined && origin !== ownOrigin;
}

/** Reads a body up to `maxBytes`, refusing a larger one with 413 before buffering it all. */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw refusals.tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * A JSON object body: 415 unless `application/json` (a form or `text/plain` post, which any web page can send
 * without a preflight, never reaches an operator route), 400 when not JSON or not an object, `{}` when empty.
 */
export async function readJsonObject(request: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw refusals.notJson();
  const body = await readBody(request, maxBytes);
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw refusals.badRequest('the request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw refusals.badRequest('the request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
