import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type RequestListener,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEdge, type Edge } from '../../../local/edge/create-edge';
import { LocalMediaPackageVod } from '../../../local/services/media-package-vod/local-media-package-vod';
import { FolderObjectStore } from './support/folder-object-store';
import {
  cloudFrontBase64,
  cookieHeader,
  customPolicy,
  signedCannedCookies,
  signedPolicyCookies,
  type PolicyOptions,
} from './support/sign-cloudfront-cookies';
import { generateRungs, MEDIA_BUCKET, writeSmilFixture } from './support/smil-fixture';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const APP_ORIGIN = 'http://127.0.0.1:3000';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let dataDir: string;
let server: Server;
let base: string;
let edge: Edge;
let clockMs: number;
let hls: string;
let dash: string;
let otherAssetHls: string;
let mediaPackage: LocalMediaPackageVod;

const POSTER = Buffer.from('poster bytes of a1-p1');

/** What the local MediaPackage serves at an egress path, straight from the origin. */
async function originBytes(path: string): Promise<Buffer> {
  const answer = await mediaPackage.resolve(path);
  if (!answer) throw new Error(`origin answers 404 for ${path}`);
  return answer.body;
}

const nowSeconds = () => Math.floor(clockMs / 1000);
const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);
const assetPrefixOf = (path: string) => path.split('/').slice(0, 4).join('/');

/** One connection per request (agent: false): a kept-alive socket that the server closes while idle, which a loaded
 * machine makes likely, would fail the next request with ECONNRESET. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function cookiesFor(
  policy: Partial<PolicyOptions> & { resource: string },
  options: { hash?: 'SHA1' | 'SHA256'; key?: KeyObject; keyPairId?: string } = {},
) {
  const signed = signedPolicyCookies(
    customPolicy({ expires: nowSeconds() + 300, ...policy }),
    options.keyPairId ?? KEY_PAIR_ID,
    options.key ?? keys.privateKey,
    options.hash,
  );
  return { Cookie: cookieHeader(signed) };
}

/** Cookies for one asset's egress prefix, as the entitlement endpoint issues them. */
const assetCookies = (path = hls, options: Parameters<typeof cookiesFor>[1] = {}) =>
  cookiesFor({ resource: `${base}${assetPrefixOf(path)}/*` }, options);

function pathOf(endpoints: { PackagingConfigurationId: string; Url: string }[], configurationId: string): string {
  return new URL(endpoints.find((endpoint) => endpoint.PackagingConfigurationId === configurationId)?.Url ?? '')
    .pathname;
}

const echoApi: RequestListener = (req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ url: req.url, method: req.method }));
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-edge-'));
  let listener: RequestListener = (_req, res) => res.end();
  server = createServer((req, res) => {
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;

  const store = new FolderObjectStore(join(dataDir, 's3'));
  const rungs = await generateRungs(join(dataDir, 'renditions'));
  mediaPackage = new LocalMediaPackageVod({
    dataDir,
    store,
    egressBaseUrl: base,
    groups: [
      {
        id: 'packaging',
        configurations: [
          { id: 'hls', type: 'HLS' },
          { id: 'dash', type: 'DASH' },
        ],
      },
    ],
  });
  const register = async (id: string, prefix: string) => {
    const master = await writeSmilFixture(store, prefix, rungs);
    await store.putBytes(MEDIA_BUCKET, `${prefix}/poster/poster.0000001.jpg`, POSTER, { contentType: 'image/jpeg' });
    const created = await mediaPackage.handle('CreateAsset', {
      Id: id,
      PackagingGroupId: 'packaging',
      SourceArn: `arn:aws:s3:::${MEDIA_BUCKET}/${master}`,
      SourceRoleArn: 'arn:aws:iam::000000000000:role/mediapackage-source',
    });
    return created.EgressEndpoints as { PackagingConfigurationId: string; Url: string }[];
  };
  const endpoints = await register('a1-p1', 'assets/a1/a1-p1');
  hls = pathOf(endpoints, 'hls');
  dash = pathOf(endpoints, 'dash');
  otherAssetHls = pathOf(await register('a2-p1', 'assets/a2/a2-p1'), 'hls');
  await register('gone', 'assets/gone/gone');
  await mediaPackage.handle('DeleteAsset', { Id: 'gone' });

  clockMs = Date.now();
  edge = createEdge({
    store,
    mediaPackage,
    mediaBucket: MEDIA_BUCKET,
    trustedKeys: [{ keyPairId: KEY_PAIR_ID, publicKeyPem }],
    allowedOrigins: [APP_ORIGIN],
    api: echoApi,
    viewerOrigin: base,
    manifestTtlSeconds: 5,
    now: () => clockMs,
  });
  listener = edge.listener;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

describe('local edge: signed cookies', () => {
  it.each(['SHA1', 'SHA256'] as const)('plays an asset with valid %s custom-policy cookies', async (hash) => {
    const master = await get(hls, assetCookies(hls, { hash }));
    const mpd = await get(dash, assetCookies(hls, { hash }));
    const segment = await get(`${folderOf(dash)}video_1_1.m4s`, assetCookies(hls, { hash }));

    expect(master.status).toBe(200);
    expect(master.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(master.body.toString()).toContain('#EXT-X-STREAM-INF');
    expect(mpd.status).toBe(200);
    expect(mpd.headers['content-type']).toBe('application/dash+xml');
    expect(segment.status).toBe(200);
    expect(segment.body).toEqual(await originBytes(`${folderOf(dash)}video_1_1.m4s`));
  });

  it('accepts canned-policy cookies for exactly the URL they name', async () => {
    const canned = {
      Cookie: cookieHeader(signedCannedCookies(`${base}${hls}`, nowSeconds() + 60, KEY_PAIR_ID, keys.privateKey)),
    };

    expect((await get(hls, canned)).status).toBe(200);
    expect((await get(dash, canned)).status).toBe(403);
  });

  it('accepts an IP-bound policy from the address the viewer connects from', async () => {
    const bound = cookiesFor({ resource: `${base}${assetPrefixOf(hls)}/*`, sourceIp: '127.0.0.0/8' });

    expect((await get(hls, bound)).status).toBe(200);
  });

  it('answers 403 MissingKey without cookies, even for a response it has cached', async () => {
    expect((await get(hls, assetCookies())).status).toBe(200);

    const answer = await get(hls);

    expect(answer.status).toBe(403);
    expect(answer.body.toString()).toContain('<Code>MissingKey</Code>');
  });

  it.each([
    ['expired', () => cookiesFor({ resource: `${base}${assetPrefixOf(hls)}/*`, expires: nowSeconds() - 1 })],
    ['not yet valid', () => cookiesFor({ resource: `${base}${assetPrefixOf(hls)}/*`, notBefore: nowSeconds() + 60 })],
    ['for another asset', () => assetCookies(otherAssetHls)],
    ['for another host', () => cookiesFor({ resource: `http://203.0.113.9${assetPrefixOf(hls)}/*` })],
    ['bound to another IP', () => cookiesFor({ resource: `${base}${assetPrefixOf(hls)}/*`, sourceIp: '10.0.0.0/8' })],
    ['of an unknown key pair', () => assetCookies(hls, { key: strangerKeys.privateKey, keyPairId: 'KUNKNOWN' })],
    ['signed by another key', () => assetCookies(hls, { key: strangerKeys.privateKey })],
    [
      'with a tampered policy',
      () => {
        const honest = signedPolicyCookies(
          customPolicy({ resource: `${base}${assetPrefixOf(otherAssetHls)}/*`, expires: nowSeconds() + 60 }),
          KEY_PAIR_ID,
          keys.privateKey,
        );
        const widened = customPolicy({ resource: `${base}/out/v1/*`, expires: nowSeconds() + 60 });
        return { Cookie: cookieHeader({ ...honest, 'CloudFront-Policy': cloudFrontBase64(widened) }) };
      },
    ],
    [
      'with a tampered signature',
      () => {
        const signed = signedPolicyCookies(
          customPolicy({ resource: `${base}${assetPrefixOf(hls)}/*`, expires: nowSeconds() + 60 }),
          KEY_PAIR_ID,
          keys.privateKey,
        );
        const signature = signed['CloudFront-Signature'] ?? '';
        const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
        return { Cookie: cookieHeader({ ...signed, 'CloudFront-Signature': flipped }) };
      },
    ],
    [
      'with a SHA256 signature announced as SHA1',
      () => {
        const cookies = assetCookies(hls, { hash: 'SHA256' });
        return { Cookie: cookies.Cookie.replace('; CloudFront-Hash-Algorithm=SHA256', '') };
      },
    ],
  ])('refuses cookies %s with 403 and no detail', async (_case, cookies) => {
    const answer = await get(hls, cookies());

    expect(answer.status).toBe(403);
    expect(answer.body.toString()).toContain('<Code>AccessDenied</Code><Message>Access denied</Message>');
  });

  it("checks the policy against its own URL, so a crafted Host cannot widen another asset's cookies", async () => {
    const otherAssetCookies = assetCookies(otherAssetHls);
    const crafted = `${new URL(base).host}${assetPrefixOf(otherAssetHls)}/x`;

    const answer = await get(hls, { ...otherAssetCookies, Host: crafted });

    expect(answer.status).toBe(403);
    expect(answer.body.toString()).not.toContain('#EXTM3U');
  });

  it.each([['203.0.113.9'], ['127.0.0.1:1'], ['d111111abcdef8.cloudfront.net']])(
    'refuses a Host that is not its own (%j) as CloudFront refuses an unknown domain name',
    async (host) => {
      const answer = await get(hls, { ...assetCookies(), Host: host });

      expect(answer.status).toBe(403);
      expect(answer.body.toString()).toContain('<Code>BadRequest</Code>');
    },
  );

  it('answers a request target that is not a URL, or a malformed escape, with 400, and keeps serving', async () => {
    const answer = await get('//');
    const badEscape = await get(`${folderOf(hls)}%E0%A4%A.m4s`, assetCookies());

    expect(answer.status).toBe(400);
    expect(badEscape.status).toBe(400);
    expect((await get(hls, assetCookies())).status).toBe(200);
  });

  it('protects the media bucket paths too', async () => {
    const poster = '/assets/a1/a1-p1/poster/poster.0000001.jpg';

    const unsigned = await get(poster);
    const signed = await get(poster, cookiesFor({ resource: `${base}/assets/a1/*` }));

    expect(unsigned.status).toBe(403);
    expect(signed.status).toBe(200);
    expect(signed.headers['content-type']).toBe('image/jpeg');
    expect(signed.headers['cache-control']).toBe('max-age=31536000, immutable');
    expect(signed.body).toEqual(POSTER);
  });
});

describe('local edge: routing', () => {
  it('forwards /api/* to the API without the prefix, unsigned and uncached', async () => {
    const first = await get('/api/videos?limit=2');
    const second = await get('/api/videos?limit=2');

    expect(first.status).toBe(200);
    expect(JSON.parse(first.body.toString())).toEqual({ url: '/videos?limit=2', method: 'GET' });
    expect(second.headers['x-cache']).toBeUndefined();
  });

  it('answers 404 for paths outside every behaviour, deleted assets and unknown files', async () => {
    const deletedPrefix = `${base}/out/v1/*`;

    expect((await get('/index.html')).status).toBe(404);
    expect((await get(`${folderOf(hls)}missing_00001.m4s`, assetCookies())).status).toBe(404);
    expect(
      (
        await get(
          `/out/v1/${'0'.repeat(32)}/${'1'.repeat(32)}/${'2'.repeat(32)}/index.m3u8`,
          cookiesFor({ resource: deletedPrefix }),
        )
      ).status,
    ).toBe(404);
  });

  it('refuses methods other than GET, HEAD and OPTIONS', async () => {
    expect((await get(hls, assetCookies(), 'POST')).status).toBe(403);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const answer = await get(`${folderOf(hls)}video_2_1.ts`, assetCookies(), 'HEAD');

    expect(answer.status).toBe(200);
    expect(answer.headers['content-length']).toBe(String((await originBytes(`${folderOf(hls)}video_2_1.ts`)).length));
    expect(answer.body.length).toBe(0);
  });
});

describe('local edge: caching', () => {
  it('caches segments as immutable and manifests for the short TTL', async () => {
    const segmentPath = `${folderOf(hls)}audio_1_1.ts`;
    const manifestPath = `${folderOf(hls)}audio_1.m3u8`;

    const firstSegment = await get(segmentPath, assetCookies());
    const secondSegment = await get(segmentPath, assetCookies());
    const firstManifest = await get(manifestPath, assetCookies());
    const cachedManifest = await get(manifestPath, assetCookies());
    clockMs += 6000;
    const staleManifest = await get(manifestPath, assetCookies());
    const laterSegment = await get(segmentPath, assetCookies());

    expect(firstSegment.headers['x-cache']).toBe('Miss from cloudfront');
    expect(secondSegment.headers['x-cache']).toBe('Hit from cloudfront');
    expect(firstSegment.headers['cache-control']).toBe('max-age=31536000, immutable');
    expect(firstManifest.headers['x-cache']).toBe('Miss from cloudfront');
    expect(firstManifest.headers['cache-control']).toBe('max-age=5');
    expect(cachedManifest.headers['x-cache']).toBe('Hit from cloudfront');
    expect(staleManifest.headers['x-cache']).toBe('Miss from cloudfront');
    expect(laterSegment.headers['x-cache']).toBe('Hit from cloudfront');
  });

  it('purges exact paths and folder prefixes, and reports how many entries it dropped', async () => {
    const init = `${folderOf(dash)}video_2_init.mp4`;
    edge.purge([`${folderOf(dash)}*`]); // earlier tests cached other files of this folder
    await get(dash, assetCookies());
    await get(init, assetCookies());
    await get(`${folderOf(hls)}video_2_1.ts`, assetCookies());
    const cachedBefore = edge.stats().cachedEntries;

    const dropped = edge.purge([`${folderOf(dash)}*`, '/out/v1/not-cached']);

    expect(dropped).toBe(2);
    expect(edge.stats().cachedEntries).toBe(cachedBefore - 2);
    expect((await get(dash, assetCookies())).headers['x-cache']).toBe('Miss from cloudfront');
    expect((await get(`${folderOf(hls)}video_2_1.ts`, assetCookies())).headers['x-cache']).toBe('Hit from cloudfront');
  });
});

describe('local edge: ranges', () => {
  const segmentPath = () => `${folderOf(hls)}video_1_1.ts`;
  let bytes: Buffer;

  beforeAll(async () => {
    bytes = await originBytes(segmentPath());
  });

  it('serves one byte range as 206 with Content-Range', async () => {
    const answer = await get(segmentPath(), { ...assetCookies(), Range: 'bytes=2-9' });

    expect(answer.status).toBe(206);
    expect(answer.headers['content-range']).toBe(`bytes 2-9/${String(bytes.length)}`);
    expect(answer.body).toEqual(bytes.subarray(2, 10));
  });

  it('serves a suffix range and refuses one past the end with 416', async () => {
    const suffix = await get(segmentPath(), { ...assetCookies(), Range: 'bytes=-4' });
    const beyond = await get(segmentPath(), { ...assetCookies(), Range: `bytes=${String(bytes.length)}-` });

    expect(suffix.status).toBe(206);
    expect(suffix.body).toEqual(bytes.subarray(bytes.length - 4));
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${String(bytes.length)}`);
  });
});

describe('local edge: CORS', () => {
  it('answers an allowed origin with that exact origin and credentials', async () => {
    const answer = await get(hls, { ...assetCookies(), Origin: APP_ORIGIN });

    expect(answer.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(answer.headers['access-control-allow-credentials']).toBe('true');
    expect(answer.headers['access-control-expose-headers']).toBe('Content-Length, Content-Range');
    expect(answer.headers.vary).toBe('Origin');
  });

  it('gives other origins no CORS headers', async () => {
    const answer = await get(hls, { ...assetCookies(), Origin: 'http://evil.example' });

    expect(answer.status).toBe(200);
    expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('answers a preflight from an allowed origin without cookies, and refuses others', async () => {
    const preflight = { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' };

    const allowed = await get(hls, { ...preflight, Origin: APP_ORIGIN }, 'OPTIONS');
    const refused = await get(hls, { ...preflight, Origin: 'http://evil.example' }, 'OPTIONS');

    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(allowed.headers['access-control-allow-methods']).toContain('GET');
    expect(allowed.headers['access-control-allow-headers']).toContain('Range');
    expect(refused.status).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets an allowed origin read a 403, so the player can tell expiry from a network error', async () => {
    const answer = await get(hls, { Origin: APP_ORIGIN });

    expect(answer.status).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
  });
});
