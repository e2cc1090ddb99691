import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/**
 * A small stand-in for the local app server and the local edge, implementing the HTTP contract written at the top of
 * local/web/app.js, so the page can be tested without the runtime. The edge serves one real HLS + DASH fixture for
 * every asset and answers 403 unless the request carries the cookie that POST /api/play set for that asset.
 */

export interface FakeVideo {
  assetId: string;
  title: string;
  status: string;
  accessLevel: 'public' | 'subscriber';
  duration?: number;
  progress?: number;
  publishedAt?: string;
  error?: { state: string; error: string; cause: string };
  /** Statuses the record moves through, one per GET /api/videos/{id}, once its upload has arrived. */
  upcoming?: Partial<FakeVideo>[];
}

export interface FakeUpload {
  assetId: string;
  fileName: string;
  contentType: string;
  declaredSize: number;
  receivedBytes: number;
  parts: Map<number, { bytes: number; etag: string }>;
  completedWith?: { partNumber: number; etag: string }[];
  aborted: boolean;
}

export interface EdgeRequest {
  path: string;
  status: number;
  origin?: string;
}

export interface FakeLocalServers {
  appUrl: string;
  edgeUrl: string;
  videos: Map<string, FakeVideo>;
  uploads: Map<string, FakeUpload>;
  edgeRequests: EdgeRequest[];
  /** Highest number of part uploads in flight at once. */
  maxConcurrentParts: number;
  close(): Promise<void>;
}

export interface FakeOptions {
  webRoot: string;
  mediaDir: string;
  videos: FakeVideo[];
  /** Uploads larger than this get a multipart plan with parts of `partSize` bytes. */
  multipartThreshold: number;
  partSize: number;
  executions: unknown[];
  queues: unknown[];
  topics: unknown[];
}

const GRANT_COOKIE = 'fixture-grant';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
};

const VENDOR_SCRIPTS: Record<string, string> = {
  '/vendor/hls.min.js': 'node_modules/hls.js/dist/hls.min.js',
  '/vendor/dash.all.min.js': 'node_modules/dashjs/dist/modern/umd/dash.all.min.js',
};

interface Identity {
  user: string;
  entitlements: string[];
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What a route answers; one writer sends it, so routes stay plain functions of the request. */
interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startFakeLocalServers(options: FakeOptions): Promise<FakeLocalServers> {
  const repoRoot = join(__dirname, '..', '..', '..');
  const videos = new Map(options.videos.map((video) => [video.assetId, structuredClone(video)]));
  const uploads = new Map<string, FakeUpload>();
  const edgeRequests: EdgeRequest[] = [];
  const tokens = new Map<string, Identity>();
  let assetCounter = 0;
  let partsInFlight = 0;
  const appServer = createServer();
  const edgeServer = createServer();
  const appUrl = await listen(appServer);
  const edgeUrl = await listen(edgeServer);
  const fake: FakeLocalServers = {
    appUrl,
    edgeUrl,
    videos,
    uploads,
    edgeRequests,
    maxConcurrentParts: 0,
    close: async () => {
      appServer.closeAllConnections();
      edgeServer.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => appServer.close(resolve)),
        new Promise((resolve) => edgeServer.close(resolve)),
      ]);
    },
  };

  const identityOf = (request: IncomingMessage): Identity | undefined => {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    return match ? tokens.get(match[1]!) : undefined;
  };

  const arrived = (assetId: string): void => {
    const video = videos.get(assetId);
    if (video) video.status = 'INGESTED';
  };

  async function serveStatic(pathname: string): Promise<Reply> {
    const vendor = VENDOR_SCRIPTS[pathname];
    const file = vendor
      ? join(repoRoot, vendor)
      : join(options.webRoot, normalize(pathname === '/' ? '/index.html' : pathname));
    if (!vendor && !file.startsWith(options.webRoot + sep)) return json(404, { message: 'not found' });
    try {
      const body = await readFile(file);
      return {
        status: 200,
        headers: { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' },
        body,
      };
    } catch {
      return json(404, { message: 'not found' });
    }
  }

  async function handleApp(request: IncomingMessage): Promise<Reply> {
    const url = new URL(request.url ?? '/', appUrl);
    const path = url.pathname;
    const method = request.method ?? 'GET';

    if (method === 'GET' && path === '/local/config') return json(200, { edgeUrl, apiBase: '/api' });
    if (method === 'GET' && path === '/local/executions') return json(200, options.executions);
    if (method === 'GET' && path === '/local/queues') return json(200, options.queues);
    if (method === 'GET' && path === '/local/topics') return json(200, options.topics);

    if (method === 'POST' && path === '/auth/token') {
      const body = JSON.parse((await readBody(request)).toString()) as Partial<Identity>;
      if (typeof body.user !== 'string' || !Array.isArray(body.entitlements)) {
        return json(400, { message: 'user and entitlements are required' });
      }
      const token = `token-${tokens.size + 1}`;
      tokens.set(token, { user: body.user, entitlements: body.entitlements });
      return json(200, { access_token: token, token_type: 'Bearer', expires_in: 300 });
    }

    if (method === 'POST' && path === '/api/uploads') {
      const identity = identityOf(request);
      if (!identity) return json(401, { message: 'a bearer token is required' });
      if (!identity.entitlements.includes('uploader')) return json(403, { message: 'not an uploader' });
      const body = JSON.parse((await readBody(request)).toString()) as Record<string, unknown>;
      const { fileName, contentType, size, title, accessLevel } = body;
      if (typeof fileName !== 'string' || typeof contentType !== 'string' || typeof size !== 'number') {
        return json(400, { message: 'fileName, contentType and size are required' });
      }
      if (!contentType.startsWith('video/')) return json(400, { message: `${contentType} is not a video type` });
      const assetId = `upload-${++assetCounter}`;
      videos.set(assetId, {
        assetId,
        title: typeof title === 'string' && title ? title : fileName,
        status: 'AWAITING_UPLOAD',
        accessLevel: accessLevel === 'public' ? 'public' : 'subscriber',
        upcoming: [
          { status: 'TRANSCODING', progress: 40 },
          { status: 'TRANSCODING', progress: 80 },
          { status: 'READY', progress: 100, duration: 8, publishedAt: new Date().toISOString() },
        ],
      });
      uploads.set(assetId, {
        assetId,
        fileName,
        contentType,
        declaredSize: size,
        receivedBytes: 0,
        parts: new Map(),
        aborted: false,
      });
      if (size <= options.multipartThreshold) {
        return json(201, {
          assetId,
          status: 'AWAITING_UPLOAD',
          upload: {
            method: 'PUT',
            url: `${appUrl}/s3/put/${assetId}`,
            headers: { 'content-type': contentType },
            expiresAt: new Date(Date.now() + 900_000).toISOString(),
          },
        });
      }
      const partCount = Math.ceil(size / options.partSize);
      return json(201, {
        assetId,
        status: 'AWAITING_UPLOAD',
        upload: {
          method: 'MULTIPART',
          uploadId: `mpu-${assetId}`,
          partSize: options.partSize,
          parts: Array.from({ length: partCount }, (_, index) => ({
            partNumber: index + 1,
            url: `${appUrl}/s3/part/${assetId}/${index + 1}`,
          })),
          complete: { method: 'POST', url: `${appUrl}/s3/complete/${assetId}` },
          abort: { method: 'DELETE', url: `${appUrl}/s3/abort/${assetId}` },
        },
      });
    }

    const s3 = /^\/s3\/(put|part|complete|abort)\/([\w-]+)(?:\/(\d+))?$/.exec(path);
    if (s3) {
      const [, action, assetId, partNumber] = s3;
      const upload = uploads.get(assetId!);
      if (!upload) return json(404, { message: 'NoSuchUpload' });
      if (action === 'put' && method === 'PUT') {
        if (request.headers['content-type'] !== upload.contentType) {
          return json(403, {
            message: 'SignatureDoesNotMatch: content-type differs from the signed one',
          });
        }
        upload.receivedBytes = (await readBody(request)).length;
        arrived(assetId!);
        return { status: 200, headers: { etag: '"whole"' } };
      }
      if (action === 'part' && method === 'PUT') {
        partsInFlight += 1;
        fake.maxConcurrentParts = Math.max(fake.maxConcurrentParts, partsInFlight);
        try {
          const body = await readBody(request);
          // A file named "broken…" makes its second part fail, as a lost connection or an expired URL would.
          if (upload.fileName.startsWith('broken') && partNumber === '2') {
            return {
              status: 500,
              headers: { 'content-type': 'application/xml' },
              body: '<Error><Code>InternalError</Code><Message>part store failed</Message></Error>',
            };
          }
          const etag = `"${createHash('md5').update(body).digest('hex')}"`;
          upload.parts.set(Number(partNumber), { bytes: body.length, etag });
          return { status: 200, headers: { etag } };
        } finally {
          partsInFlight -= 1;
        }
      }
      if (action === 'complete' && method === 'POST') {
        const xml = (await readBody(request)).toString();
        const listed = [...xml.matchAll(/<Part><PartNumber>(\d+)<\/PartNumber><ETag>([^<]+)<\/ETag><\/Part>/g)].map(
          (match) => ({ partNumber: Number(match[1]), etag: match[2]!.replace(/&quot;/g, '"') }),
        );
        const matches = listed.every((part) => upload.parts.get(part.partNumber)?.etag === part.etag);
        if (!xml.startsWith('<CompleteMultipartUpload>') || !matches || listed.length !== upload.parts.size) {
          return {
            status: 400,
            headers: { 'content-type': 'application/xml' },
            body: '<Error><Code>InvalidPart</Code><Message>parts do not match</Message></Error>',
          };
        }
        upload.completedWith = listed;
        upload.receivedBytes = [...upload.parts.values()].reduce((sum, part) => sum + part.bytes, 0);
        arrived(assetId!);
        return {
          status: 200,
          headers: { 'content-type': 'application/xml' },
          body: '<CompleteMultipartUploadResult><ETag>"done-3"</ETag></CompleteMultipartUploadResult>',
        };
      }
      if (action === 'abort' && method === 'DELETE') {
        upload.aborted = true;
        return { status: 204 };
      }
    }

    if (method === 'GET' && path === '/api/videos') {
      const operator = identityOf(request)?.entitlements.includes('operator') ?? false;
      const status = url.searchParams.get('status');
      const items = [...videos.values()]
        .filter((video) => (operator ? true : video.status === 'READY'))
        .filter((video) => !status || video.status === status)
        .map(({ assetId, title, status: current, accessLevel, duration, publishedAt }) => ({
          assetId,
          title,
          status: current,
          accessLevel,
          duration,
          poster: `${edgeUrl}/assets/${assetId}/poster.jpg`,
          publishedAt,
        }));
      return json(200, { items });
    }

    const single = /^\/api\/videos\/([\w-]+)$/.exec(path);
    if (method === 'GET' && single) {
      const video = videos.get(single[1]!);
      if (!video) return json(404, { message: 'no such video' });
      // The fake workflow moves one step per poll once the upload has arrived.
      if (video.status !== 'AWAITING_UPLOAD' && video.upcoming?.length) {
        const { upcoming, ...rest } = video;
        const shown = { ...rest };
        Object.assign(video, upcoming[0], { upcoming: upcoming.slice(1) });
        return json(200, { ...shown, renditions: [] });
      }
      const shown: Partial<FakeVideo> = { ...video };
      delete shown.upcoming;
      const renditions =
        video.status === 'READY'
          ? [{ name: '180p', width: 320, height: 180, maxBitrate: 600000, codec: 'avc1.64000d' }]
          : [];
      return json(200, { ...shown, renditions });
    }

    if (method === 'GET') return serveStatic(path);
    return json(404, { message: `no route ${method} ${path}` });
  }

  function corsHeaders(request: IncomingMessage): Record<string, string> {
    // Credentialed CORS needs the exact origin, never '*'.
    if (request.headers.origin !== appUrl) return {};
    return { 'access-control-allow-origin': appUrl, 'access-control-allow-credentials': 'true', vary: 'Origin' };
  }

  async function handleEdge(request: IncomingMessage): Promise<Reply> {
    const url = new URL(request.url ?? '/', edgeUrl);
    const path = url.pathname;
    const cors = corsHeaders(request);
    if (request.method === 'OPTIONS') {
      return {
        status: 204,
        headers: {
          ...cors,
          'access-control-allow-methods': 'GET, POST',
          'access-control-allow-headers': 'authorization, content-type',
          'access-control-max-age': '600',
        },
      };
    }

    const play = /^\/api\/play\/([\w-]+)$/.exec(path);
    if (request.method === 'POST' && play) {
      const assetId = play[1]!;
      const video = videos.get(assetId);
      const identity = identityOf(request);
      if (!video) return json(404, { message: `no video ${assetId}` }, cors);
      if (video.status !== 'READY') return json(409, { message: `${assetId} is ${video.status}` }, cors);
      if (video.accessLevel !== 'public') {
        if (!identity) return json(401, { message: 'a bearer token is required' }, cors);
        if (!identity.entitlements.includes('subscriber')) {
          return json(403, { message: 'this video is for subscribers' }, cors);
        }
      }
      // The "cookieless" asset gets its URLs but no cookie, as if the cookie never reached the browser.
      const cookie: Record<string, string> =
        assetId === 'cookieless' ? {} : { 'set-cookie': `${GRANT_COOKIE}=${assetId}; Path=/; HttpOnly; SameSite=Lax` };
      return json(
        200,
        {
          assetId,
          playback: {
            hls: `${edgeUrl}/out/v1/${assetId}/master.m3u8`,
            dash: `${edgeUrl}/out/v1/${assetId}/manifest.mpd`,
          },
          thumbnails: {
            poster: `${edgeUrl}/assets/${assetId}/poster.jpg`,
            trickplay: `${edgeUrl}/assets/${assetId}/thumbs.vtt`,
          },
          expiresAt: new Date(Date.now() + 300_000).toISOString(),
        },
        { ...cors, ...cookie },
      );
    }

    const media = /^\/(?:out\/v1|assets)\/([\w-]+)\/([\w.-]+)$/.exec(path);
    if (request.method === 'GET' && media) {
      const [, assetId, file] = media;
      const granted = new RegExp(`(?:^|;\\s*)${GRANT_COOKIE}=${assetId}(?:;|$)`).test(request.headers.cookie ?? '');
      const reply: Reply = granted
        ? await readFile(join(options.mediaDir, file!)).then(
            (body) => ({
              status: 200,
              headers: { ...cors, 'content-type': CONTENT_TYPES[extname(file!)] ?? 'application/octet-stream' },
              body,
            }),
            () => json(404, { message: 'not found' }, cors),
          )
        : json(403, { message: 'Access denied' }, cors);
      edgeRequests.push({
        path,
        status: reply.status,
        ...(request.headers.origin ? { origin: request.headers.origin } : {}),
      });
      return reply;
    }
    return json(404, { message: 'not found' }, cors);
  }

  const serve =
    (handler: (request: IncomingMessage) => Promise<Reply>) =>
    (request: IncomingMessage, response: ServerResponse): void => {
      void handler(request)
        .catch((error: unknown) => json(500, { message: String(error) }))
        .then((reply) => {
          response.writeHead(reply.status, reply.headers);
          response.end(reply.body);
        });
    };
  appServer.on('request', serve(handleApp));
  edgeServer.on('request', serve(handleEdge));
  return fake;
}
