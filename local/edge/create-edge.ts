import { readFile } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { logger } from '../../functions/commons/logger';
import type { ObjectStore } from '../seam/object-store';
import type { LocalMediaPackageVod } from '../services/media-package-vod/local-media-package-vod';
import { cacheClassOf, contentTypeOf, type CacheClass } from '../services/media-package-vod/media-types';
import { parseRange } from './byte-range';
import { corsHeaders, preflightHeaders } from './cors';
import { EdgeCache, type CachedObject } from './edge-cache';
import {
  ACCESS_DENIED,
  BAD_GATEWAY,
  BAD_REQUEST,
  METHOD_NOT_ALLOWED,
  MISSING_KEY,
  NOT_FOUND,
  UNKNOWN_DOMAIN,
  type EdgeError,
} from './edge-errors';
import { parseCookieHeader, trustedKeyMap, verifySignedCookies, type TrustedKey } from './verify-signed-cookies';

export interface EdgeOptions {
  store: ObjectStore;
  mediaPackage: LocalMediaPackageVod;
  /** The bucket `/assets/*` reads (posters, trick-play images): the media bucket, as the cloud's S3 origin. */
  mediaBucket: string;
  trustedKeys: TrustedKey[];
  allowedOrigins: string[];
  /**
   * The edge's own origin (`http://127.0.0.1:<port>`), as a distribution knows its domain name: the URL a signed
   * policy is checked against is built from it, and a request for another Host is refused.
   */
  viewerOrigin: string;
  /** The API `/api/*` forwards to, with `/api` stripped. */
  api?: RequestListener;
  /** How long manifests stay cached (default 5 s); segments and images are immutable. */
  manifestTtlSeconds?: number;
  maxCacheBytes?: number;
  /** Clock in milliseconds, for tests of expiry. */
  now?: () => number;
}

export interface EdgeStats {
  requests: number;
  hits: number;
  misses: number;
  denied: number;
  notFound: number;
  cachedEntries: number;
  cachedBytes: number;
  purged: number;
}

export interface Edge {
  listener: RequestListener;
  /** Drops cached responses for invalidation paths (exact, or a prefix ending in `*`); returns how many. */
  purge(paths: string[]): number;
  stats(): EdgeStats;
}

const IMMUTABLE = 'max-age=31536000, immutable';
const DEFAULT_MANIFEST_TTL_SECONDS = 5;
const DEFAULT_MAX_CACHE_BYTES = 256 * 1024 * 1024;
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

interface OriginObject {
  body: Buffer;
  contentType: string;
  cacheClass: CacheClass;
}

type Behaviour = 'mediapackage' | 'assets' | 'api';

function behaviourOf(pathname: string): Behaviour | undefined {
  if (pathname.startsWith('/out/v1/')) return 'mediapackage';
  if (pathname.startsWith('/assets/')) return 'assets';
  if (pathname === '/api' || pathname.startsWith('/api/')) return 'api';
  return undefined;
}

function hasValidEscapes(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/** The media-bucket key of an /assets/ path; undefined for anything that could leave the bucket's folder. */
function assetKeyOf(pathname: string): string | undefined {
  const segments = pathname.slice(1).split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    let value: string;
    try {
      value = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (value === '' || value === '.' || value === '..' || /[\\/\0]/.test(value)) return undefined;
    decoded.push(value);
  }
  return decoded.join('/');
}

/**
 * The local CloudFront distribution. Behaviours as in serverless.yml: `/out/v1/*` to the MediaPackage egress and
 * `/assets/*` to the media bucket, both behind signed cookies; `/api/*` to the API, unsigned and never cached;
 * anything else 404. The signed-cookie check runs on every request, cached or not.
 */
export function createEdge(options: EdgeOptions): Edge {
  const keys = trustedKeyMap(options.trustedKeys);
  const allowedOrigins = new Set(options.allowedOrigins);
  const viewerOrigin = new URL(options.viewerOrigin).origin;
  const viewerHost = new URL(viewerOrigin).host.toLowerCase();
  const manifestTtlSeconds = options.manifestTtlSeconds ?? DEFAULT_MANIFEST_TTL_SECONDS;
  if (!Number.isInteger(manifestTtlSeconds) || manifestTtlSeconds < 1) {
    throw new Error(`manifestTtlSeconds must be a whole number of seconds (>= 1), got ${String(manifestTtlSeconds)}`);
  }
  const manifestTtlMs = manifestTtlSeconds * 1000;
  const now = options.now ?? Date.now;
  const cache = new EdgeCache(options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES);
  const counters = { requests: 0, hits: 0, misses: 0, denied: 0, notFound: 0, purged: 0 };

  async function fromMediaBucket(pathname: string): Promise<OriginObject | undefined> {
    const key = assetKeyOf(pathname);
    if (key === undefined) return undefined;
    const object = await options.store.head(options.mediaBucket, key);
    if (!object) return undefined;
    const body = await readFile(options.store.filePath(options.mediaBucket, key));
    const contentType = GENERIC_TYPES.has(object.contentType) ? contentTypeOf(key) : object.contentType;
    return { body, contentType, cacheClass: cacheClassOf(key) };
  }

  function fetchOrigin(behaviour: 'mediapackage' | 'assets', pathname: string): Promise<OriginObject | undefined> {
    return behaviour === 'mediapackage' ? options.mediaPackage.resolve(pathname) : fromMediaBucket(pathname);
  }

  function sendError(res: ServerResponse, error: EdgeError, extra: Record<string, string> = {}): void {
    res.writeHead(error.status, {
      'Content-Type': 'text/xml',
      'Content-Length': String(Buffer.byteLength(error.body)),
      'X-Cache': 'Error from cloudfront',
      Via: '1.1 local-edge (CloudFront)',
      ...extra,
    });
    res.end(error.body);
  }

  function sendObject(
    req: IncomingMessage,
    res: ServerResponse,
    object: CachedObject,
    hit: boolean,
    cors: Record<string, string>,
  ): void {
    const size = object.body.length;
    const headers: Record<string, string> = {
      'Content-Type': object.contentType,
      'Cache-Control': object.cacheControl,
      'Accept-Ranges': 'bytes',
      'X-Cache': hit ? 'Hit from cloudfront' : 'Miss from cloudfront',
      Via: '1.1 local-edge (CloudFront)',
      Vary: 'Origin',
      ...(hit ? { Age: String(Math.max(0, Math.floor((now() - object.storedAt) / 1000))) } : {}),
      ...cors,
    };
    const range = parseRange(req.headers.range, size);
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${String(size)}`, 'Content-Length': '0' });
      res.end();
      return;
    }
    const [status, body] =
      range.kind === 'partial' ? [206, object.body.subarray(range.start, range.end + 1)] : [200, object.body];
    if (range.kind === 'partial')
      headers['Content-Range'] = `bytes ${String(range.start)}-${String(range.end)}/${String(size)}`;
    res.writeHead(status, { ...headers, 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function forwardToApi(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (!options.api) {
      sendError(res, NOT_FOUND);
      return;
    }
    // As the CloudFront Function does in the cloud: the API sees its own paths, without the /api prefix.
    req.url = `${url.pathname.slice('/api'.length) || '/'}${url.search}`;
    options.api(req, res);
  }

  /** The request target as a path on this distribution, or undefined when it is not one (`//`, `http://x/`). */
  function targetOf(req: IncomingMessage): URL | undefined {
    const target = req.url ?? '/';
    if (!target.startsWith('/') || target.startsWith('//')) return undefined;
    try {
      return new URL(target, viewerOrigin);
    } catch {
      return undefined;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests += 1;
    // A Host that is not one of the distribution's domain names: CloudFront answers 403 "Bad request"
    // (https://repost.aws/knowledge-center/resolve-cloudfront-bad-request-error).
    if ((req.headers.host ?? '').toLowerCase() !== viewerHost) {
      sendError(res, UNKNOWN_DOMAIN);
      return;
    }
    const url = targetOf(req);
    if (!url) {
      sendError(res, BAD_REQUEST);
      return;
    }
    const behaviour = behaviourOf(url.pathname);
    if (behaviour === 'api') {
      forwardToApi(req, res, url);
      return;
    }
    if (!hasValidEscapes(url.pathname)) {
      // A malformed percent-escape is the viewer's error: 400 here, not a 502 from the origin later.
      sendError(res, BAD_REQUEST);
      return;
    }
    if (behaviour === undefined) {
      counters.notFound += 1;
      sendError(res, NOT_FOUND);
      return;
    }
    const origin = req.headers.origin;
    const cors = corsHeaders(origin, allowedOrigins);
    if (req.method === 'OPTIONS') {
      const preflight = preflightHeaders(origin, allowedOrigins);
      if (!preflight) {
        sendError(res, ACCESS_DENIED);
        return;
      }
      res.writeHead(204, { ...preflight, Vary: 'Origin', 'Content-Length': '0' });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, METHOD_NOT_ALLOWED, cors);
      return;
    }

    // The policy's Resource names the URL served: this distribution's own origin and the path, never a Host a
    // client shaped (the Host was checked above, and is not used here).
    const verdict = verifySignedCookies(
      {
        url: `${viewerOrigin}${url.pathname}`,
        query: url.search.replace(/^\?/, ''),
        cookies: parseCookieHeader(req.headers.cookie),
        sourceIp: req.socket.remoteAddress ?? '',
        nowEpochSeconds: Math.floor(now() / 1000),
      },
      keys,
    );
    if (!verdict.allowed) {
      counters.denied += 1;
      logger.debug('edge denied a request', { path: url.pathname, reason: verdict.reason });
      sendError(res, verdict.reason === 'missing-cookies' ? MISSING_KEY : ACCESS_DENIED, cors);
      return;
    }

    const cached = cache.get(url.pathname, now());
    if (cached) {
      counters.hits += 1;
      sendObject(req, res, cached, true, cors);
      return;
    }
    counters.misses += 1;
    const fetched = await fetchOrigin(behaviour, url.pathname);
    if (!fetched) {
      counters.notFound += 1;
      sendError(res, NOT_FOUND, cors);
      return;
    }
    const storedAt = now();
    const manifest = fetched.cacheClass === 'manifest';
    const entry: CachedObject = {
      body: fetched.body,
      contentType: fetched.contentType,
      cacheControl: manifest ? `max-age=${String(manifestTtlSeconds)}` : IMMUTABLE,
      storedAt,
      expiresAt: storedAt + (manifest ? manifestTtlMs : 365 * 24 * 3600 * 1000),
    };
    cache.set(url.pathname, entry);
    sendObject(req, res, entry, false, cors);
  }

  return {
    listener: (req, res) => {
      handle(req, res).catch((error: unknown) => {
        logger.warn('edge origin failed', { path: req.url, error });
        if (res.headersSent) res.destroy();
        else sendError(res, BAD_GATEWAY);
      });
    },
    purge: (paths) => {
      const removed = cache.purge(paths);
      counters.purged += removed;
      return removed;
    },
    stats: () => {
      const { entries, bytes } = cache.stats();
      return { ...counters, cachedEntries: entries, cachedBytes: bytes };
    },
  };
}
