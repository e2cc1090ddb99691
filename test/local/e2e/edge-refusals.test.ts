import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssetView } from '../../../local/cli/asset-status';
import { generateClip } from '../../../local/cli/sample-clip';
import { devToken } from '../../../local/cli/upload-client';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { dashReferencedFiles, parseXml } from '../../support/media-inspection';
import {
  operatorToken,
  publishClip,
  requestPlayback,
  startTestRuntime,
  type PlaybackSession,
} from '../../support/local-mode';

/**
 * What the local edge lets out, asked with plain HTTP against the real local mode: the cookies POST /api/play sets
 * open the asset's manifests and segments, and every way of holding the wrong cookies (none, expired, tampered,
 * another asset's, signed by an unknown key) is a 403. Cookies are re-signed here with the runtime's own private key
 * so each refusal proves one check of the edge, independently of how the entitlement function mints them.
 */
const CLIP = { durationSeconds: 8, width: 640, height: 360 };
const OTHER_ORIGIN = 'http://evil.example';

let runtime: LocalRuntime;
let token: string;
/** accessLevel subscriber (the default): needs a token with that entitlement. */
let privateAsset: AssetView;
/** accessLevel public: plays without a token. */
let publicAsset: AssetView;
let session: PlaybackSession;
let signingKey: KeyObject;
let keyPairId: string;

function hlsOf(asset: AssetView): string {
  const url = asset.playback?.hls;
  if (!url) throw new Error(`asset ${asset.assetId} has no HLS playback URL`);
  return url;
}

function dashOf(asset: AssetView): string {
  const url = asset.playback?.dash;
  if (!url) throw new Error(`asset ${asset.assetId} has no DASH playback URL`);
  return url;
}

/** CloudFront's URL-safe base64, written here independently of the product's encoder. */
function cloudFrontBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

function fromCloudFrontBase64(value: string): Buffer {
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

function parseCookies(header: string): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0) cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
  }
  return cookies;
}

function cookieHeader(cookies: ReadonlyMap<string, string>): string {
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** The playback cookies the entitlement function set for `url`, with some replaced. */
function cookiesWith(url: string, replaced: Record<string, string>): string {
  const cookies = parseCookies(session.cookieFor(url));
  for (const [name, value] of Object.entries(replaced)) cookies.set(name, value);
  return cookieHeader(cookies);
}

function requireCookie(cookies: ReadonlyMap<string, string>, name: string): string {
  const value = cookies.get(name);
  if (value === undefined) throw new Error(`the play answer set no ${name} cookie`);
  return value;
}

/** The policy the entitlement function signed for `url`, parsed. */
function mintedPolicy(url: string): { Statement: [{ Resource: string; Condition: Record<string, unknown> }] } {
  const policy = requireCookie(parseCookies(session.cookieFor(url)), 'CloudFront-Policy');
  return JSON.parse(fromCloudFrontBase64(policy).toString('utf8')) as ReturnType<typeof mintedPolicy>;
}

/** A CloudFront cookie set over a custom policy, signed RSA-SHA256 with `key`. */
function signedCookies(resource: string, notAfterEpochSeconds: number, key: KeyObject, pairId = keyPairId): string {
  const policy = Buffer.from(
    JSON.stringify({
      Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': notAfterEpochSeconds } } }],
    }),
  );
  return cookieHeader(
    new Map([
      ['CloudFront-Policy', cloudFrontBase64(policy)],
      ['CloudFront-Signature', cloudFrontBase64(sign('sha256', policy, key))],
      ['CloudFront-Key-Pair-Id', pairId],
      ['CloudFront-Hash-Algorithm', 'SHA256'],
    ]),
  );
}

/** Replaces one character in the middle of a value (never the last, whose low bits may be padding). */
function changeOneCharacter(value: string): string {
  const index = Math.floor(value.length / 2);
  const replacement = value[index] === 'A' ? 'B' : 'A';
  return `${value.slice(0, index)}${replacement}${value.slice(index + 1)}`;
}

async function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  return response.status;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

async function play(assetId: string, bearer?: string): Promise<Response> {
  return fetch(`${runtime.endpoints.edgeUrl}/api/play/${assetId}`, {
    method: 'POST',
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
  });
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  token = await operatorToken(runtime);
  // One clip, uploaded twice: two assets with their own playback prefixes and cookies.
  const clip = await generateClip(join(runtime.dataDir, 'clips', 'refusals.mp4'), CLIP);
  [privateAsset, publicAsset] = await Promise.all([
    publishClip(runtime, CLIP, { file: clip }),
    publishClip(runtime, CLIP, { file: clip, accessLevel: 'public' }),
  ]);
  await runtime.idle();
  session = await requestPlayback(runtime, privateAsset.assetId, token);
  signingKey = createPrivateKey(await readFile(join(runtime.dataDir, 'keys', 'cloudfront-private-key.pem'), 'utf8'));
  keyPairId = requireCookie(parseCookies(session.cookieFor(hlsOf(privateAsset))), 'CloudFront-Key-Pair-Id');
}, 180_000);

afterAll(async () => {
  await runtime.close();
  await rm(runtime.dataDir, { recursive: true, force: true });
});

describe('the published clips', () => {
  it('are READY, with playback URLs on the edge, and POST /api/play answers those URLs with cookies', () => {
    expect([privateAsset.status, publicAsset.status]).toEqual(['READY', 'READY']);
    expect(session.status).toBe(200);
    expect(session.body.playback).toEqual(privateAsset.playback);
    expect(hlsOf(privateAsset).startsWith(`${runtime.endpoints.edgeUrl}/out/v1/`)).toBe(true);
    expect(session.cookieFor(hlsOf(privateAsset))).toMatch(/CloudFront-Signature=/);
  });
});

describe('the HLS manifest of the catalogue, through the edge', () => {
  it('is served (200) with the cookies POST /api/play set', async () => {
    const url = hlsOf(privateAsset);
    const response = await fetch(url, { headers: { cookie: session.cookieFor(url) } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^#EXTM3U/);
  });

  it('is refused (403) without cookies', async () => {
    expect(await statusOf(hlsOf(privateAsset))).toBe(403);
  });

  it('is served with cookies re-signed here for the same Resource (so the refusals below are the edge checks)', async () => {
    const url = hlsOf(privateAsset);
    const resource = mintedPolicy(url).Statement[0].Resource;
    expect(await statusOf(url, { cookie: signedCookies(resource, nowSeconds() + 60, signingKey) })).toBe(200);
  });

  it('is refused (403) with cookies whose policy expired, though correctly signed', async () => {
    const url = hlsOf(privateAsset);
    const resource = mintedPolicy(url).Statement[0].Resource;
    expect(await statusOf(url, { cookie: signedCookies(resource, nowSeconds() - 1, signingKey) })).toBe(403);
  });

  it('is refused (403) with one character of CloudFront-Policy changed', async () => {
    const url = hlsOf(privateAsset);
    const policy = requireCookie(parseCookies(session.cookieFor(url)), 'CloudFront-Policy');
    expect(await statusOf(url, { cookie: cookiesWith(url, { 'CloudFront-Policy': changeOneCharacter(policy) }) })).toBe(
      403,
    );
  });

  it('is refused (403) with a policy widened to the whole edge and re-encoded without re-signing', async () => {
    const url = hlsOf(privateAsset);
    const policy = mintedPolicy(url);
    policy.Statement[0].Resource = `${runtime.endpoints.edgeUrl}/*`;
    const widened = cloudFrontBase64(Buffer.from(JSON.stringify(policy)));
    expect(await statusOf(url, { cookie: cookiesWith(url, { 'CloudFront-Policy': widened }) })).toBe(403);
  });

  it('is refused (403) with one character of CloudFront-Signature changed', async () => {
    const url = hlsOf(privateAsset);
    const signature = requireCookie(parseCookies(session.cookieFor(url)), 'CloudFront-Signature');
    const tampered = changeOneCharacter(signature);
    expect(await statusOf(url, { cookie: cookiesWith(url, { 'CloudFront-Signature': tampered }) })).toBe(403);
  });

  it('is refused (403) with an unknown key pair id', async () => {
    const url = hlsOf(privateAsset);
    expect(await statusOf(url, { cookie: cookiesWith(url, { 'CloudFront-Key-Pair-Id': 'KUNKNOWNKEY0001' }) })).toBe(
      403,
    );
  });

  it("is refused (403) with a policy signed by another key under the distribution's key pair id", async () => {
    const url = hlsOf(privateAsset);
    const resource = mintedPolicy(url).Statement[0].Resource;
    const { privateKey: strangerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await statusOf(url, { cookie: signedCookies(resource, nowSeconds() + 60, strangerKey) })).toBe(403);
  });

  it("is refused (403) with another asset's cookies, and that asset's cookies open only that asset", async () => {
    const otherSession = await requestPlayback(runtime, publicAsset.assetId);
    expect(otherSession.status).toBe(200);
    const otherCookies = otherSession.cookieFor(hlsOf(publicAsset));
    expect(await statusOf(hlsOf(publicAsset), { cookie: otherCookies })).toBe(200);
    expect(await statusOf(hlsOf(privateAsset), { cookie: otherCookies })).toBe(403);
    expect(await statusOf(hlsOf(publicAsset), { cookie: session.cookieFor(hlsOf(privateAsset)) })).toBe(403);
  });
});

describe('the DASH manifest and a segment, through the edge', () => {
  let segmentUrl: string;

  beforeAll(async () => {
    const dash = dashOf(privateAsset);
    const response = await fetch(dash, { headers: { cookie: session.cookieFor(dash) } });
    // files: the initialization segment first, then the media segments.
    const [firstRepresentation] = dashReferencedFiles(parseXml(await response.text()));
    const segment = firstRepresentation?.files[1];
    if (segment === undefined) throw new Error('the MPD references no media segment');
    segmentUrl = new URL(segment, dash).href;
  });

  it('are served (200) with the cookies POST /api/play set', async () => {
    const dash = dashOf(privateAsset);
    expect(await statusOf(dash, { cookie: session.cookieFor(dash) })).toBe(200);
    const response = await fetch(segmentUrl, { headers: { cookie: session.cookieFor(segmentUrl) } });
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('are refused (403) without cookies', async () => {
    expect(await statusOf(dashOf(privateAsset))).toBe(403);
    expect(await statusOf(segmentUrl)).toBe(403);
  });
});

describe('POST /api/play through the edge', () => {
  it('answers 404 for an unknown asset', async () => {
    const response = await play(randomBytes(16).toString('hex'), token);
    expect(response.status).toBe(404);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('answers 409, without cookies, for an asset that is not READY', async () => {
    const created = await fetch(`${runtime.endpoints.appUrl}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ fileName: 'never-sent.mp4', contentType: 'video/mp4', size: 1024 }),
    });
    expect(created.status).toBe(201);
    const { assetId } = (await created.json()) as { assetId: string };
    const response = await play(assetId, token);
    expect(response.status).toBe(409);
    expect(((await response.json()) as { message: string }).message).toMatch(/AWAITING_UPLOAD/);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('answers 401 without a token, and 403 for a token without the entitlement, for a non-public asset', async () => {
    const anonymous = await play(privateAsset.assetId);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.getSetCookie()).toEqual([]);
    const unentitled = await play(privateAsset.assetId, await devToken(runtime.endpoints, 'nobody', []));
    expect(unentitled.status).toBe(403);
    expect(unentitled.headers.getSetCookie()).toEqual([]);
  });

  it('plays a public asset without a token: cookies that open its manifest', async () => {
    const anonymous = await requestPlayback(runtime, publicAsset.assetId);
    expect(anonymous.status).toBe(200);
    const url = hlsOf(publicAsset);
    expect(await statusOf(url, { cookie: anonymous.cookieFor(url) })).toBe(200);
  });
});

describe('CORS at the edge', () => {
  it('answers the app origin with that exact origin and credentials, on a success and on a refusal', async () => {
    const url = hlsOf(privateAsset);
    const origin = runtime.endpoints.appUrl;
    const served = await fetch(url, { headers: { origin, cookie: session.cookieFor(url) } });
    expect(served.status).toBe(200);
    expect(served.headers.get('access-control-allow-origin')).toBe(origin);
    expect(served.headers.get('access-control-allow-credentials')).toBe('true');
    const refused = await fetch(url, { headers: { origin } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
    expect(refused.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('gives another origin no CORS headers, even with valid cookies', async () => {
    const url = hlsOf(privateAsset);
    const response = await fetch(url, { headers: { origin: OTHER_ORIGIN, cookie: session.cookieFor(url) } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('answers a preflight from the app origin and refuses one from another origin', async () => {
    const url = hlsOf(privateAsset);
    const preflight = (origin: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
      });
    const allowed = await preflight(runtime.endpoints.appUrl);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(runtime.endpoints.appUrl);
    expect(allowed.headers.get('access-control-allow-methods')).toMatch(/GET/);
    const refused = await preflight(OTHER_ORIGIN);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.ok).toBe(false);
  });

  it('lets the app origin read POST /api/play with credentials, and not another origin', async () => {
    const allowed = await fetch(`${runtime.endpoints.edgeUrl}/api/play/${publicAsset.assetId}`, {
      method: 'POST',
      headers: { origin: runtime.endpoints.appUrl },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(runtime.endpoints.appUrl);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await fetch(`${runtime.endpoints.edgeUrl}/api/play/${publicAsset.assetId}`, {
      method: 'POST',
      headers: { origin: OTHER_ORIGIN },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
