import { generateKeyPairSync, verify } from 'node:crypto';
import {
  cloudFrontBase64,
  customPolicy,
  setCookieHeaders,
  signedCookieValues,
} from '../../../functions/authorize-playback/sign-cookies';
import { playbackPrefixOf } from '../../../functions/commons/http/playback-scope';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const fromCloudFrontBase64 = (value: string) =>
  Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
const CDN = 'https://d111111abcdef8.cloudfront.net';

describe('CloudFront custom policy', () => {
  it('is one statement with the resource and DateLessThan, serialised without spaces', () => {
    const policy = customPolicy(`${CDN}/out/v1/aa11/*`, 1_795_255_500);

    expect(JSON.stringify(policy)).toBe(
      '{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/out/v1/aa11/*",' +
        '"Condition":{"DateLessThan":{"AWS:EpochTime":1795255500}}}]}',
    );
  });

  it('adds IpAddress with a /32 when bound to the caller', () => {
    const policy = customPolicy(`${CDN}/out/v1/aa11/*`, 1_795_255_500, '203.0.113.7');

    expect(JSON.stringify(policy)).toBe(
      '{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/out/v1/aa11/*",' +
        '"Condition":{"DateLessThan":{"AWS:EpochTime":1795255500},"IpAddress":{"AWS:SourceIp":"203.0.113.7/32"}}}]}',
    );
  });

  it("encodes with CloudFront's base64 alphabet", () => {
    // 0xfb 0xff 0xfe encodes to "+//+" in standard base64; a 1-byte input needs "==" padding.
    expect(cloudFrontBase64(Buffer.from([0xfb, 0xff, 0xfe]))).toBe('-~~-');
    expect(cloudFrontBase64(Buffer.from([0xff]))).toBe('~w__');
  });

  it('signs the exact policy JSON with RSA-SHA256, verifiable with the public key', () => {
    const policy = customPolicy(`${CDN}/out/v1/aa11/*`, 1_795_255_500);

    const cookies = signedCookieValues(policy, privateKey, 'K2JCJMDEHXQW5F');

    const json = fromCloudFrontBase64(cookies['CloudFront-Policy']);
    expect(json.toString('utf8')).toBe(JSON.stringify(policy));
    expect(verify('sha256', json, publicKey, fromCloudFrontBase64(cookies['CloudFront-Signature']))).toBe(true);
    expect(cookies['CloudFront-Key-Pair-Id']).toBe('K2JCJMDEHXQW5F');
    expect(cookies['CloudFront-Hash-Algorithm']).toBe('SHA256');
    expect(cookies['CloudFront-Policy']).not.toMatch(/[+=/]/);
    expect(cookies['CloudFront-Signature']).not.toMatch(/[+=/]/);
  });

  it('writes Set-Cookie lines scoped to the path, expiring with the policy', () => {
    const now = 1_795_255_200;

    const lines = setCookieHeaders(
      { resource: `${CDN}/out/v1/aa11/*`, path: '/out/v1/aa11/' },
      now + 300,
      now,
      privateKey,
      { keyPairId: 'K2JCJMDEHXQW5F', secure: true, sameSite: 'None' },
    );

    expect(lines.map((line) => line.split('=')[0])).toEqual([
      'CloudFront-Policy',
      'CloudFront-Signature',
      'CloudFront-Key-Pair-Id',
      'CloudFront-Hash-Algorithm',
    ]);
    for (const line of lines) {
      expect(line.split('; ').slice(1)).toEqual([
        'Path=/out/v1/aa11/',
        `Expires=${new Date((now + 300) * 1000).toUTCString()}`,
        'Max-Age=300',
        'Secure',
        'HttpOnly',
        'SameSite=None',
      ]);
    }
  });

  it('adds Domain only when configured and leaves Secure out when told to', () => {
    const [line] = setCookieHeaders({ resource: `${CDN}/x/*`, path: '/x/' }, 100, 0, privateKey, {
      keyPairId: 'K',
      secure: false,
      sameSite: 'Lax',
      domain: 'cdn.example.com',
    });

    expect(line).toContain('; Domain=cdn.example.com;');
    expect(line).not.toContain('Secure');
    expect(line).toContain('SameSite=Lax');
  });
});

describe('playback prefix', () => {
  it("is the common folder of the asset's HLS and DASH egress paths", () => {
    expect(
      playbackPrefixOf({
        hls: `${CDN}/out/v1/aa11/bb22/cc33/index.m3u8`,
        dash: `${CDN}/out/v1/aa11/dd44/ee55/index.mpd`,
      }),
    ).toBe('/out/v1/aa11/');
  });

  it.each([
    ['different assets', `${CDN}/out/v1/aa11/bb22/cc33/index.m3u8`, `${CDN}/out/v1/ff99/dd44/ee55/index.mpd`],
    ['paths outside the egress', `${CDN}/assets/a/index.m3u8`, `${CDN}/assets/a/index.mpd`],
    ['a wildcard in a segment', `${CDN}/out/v1/a*/b/index.m3u8`, `${CDN}/out/v1/a*/c/index.mpd`],
  ])('is refused when it would be wider than one asset: %s', (_case, hls, dash) => {
    expect(playbackPrefixOf({ hls, dash })).toBeUndefined();
  });
});
