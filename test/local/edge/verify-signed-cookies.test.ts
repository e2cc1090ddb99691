import { generateKeyPairSync } from 'node:crypto';
import {
  decodeCloudFrontBase64,
  ipv4InCidr,
  parseCookieHeader,
  parsePolicy,
  resourceMatches,
  trustedKeyMap,
  verifySignedCookies,
  type CookieRequest,
} from '../../../local/edge/verify-signed-cookies';
import { cloudFrontBase64, customPolicy, signedPolicyCookies } from './support/sign-cloudfront-cookies';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const trusted = trustedKeyMap([
  { keyPairId: 'KTEST', publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
]);
const NOW = 1_800_000_000;
const URL_OF_MASTER = 'https://d111.cloudfront.net/out/v1/aa11/bb22/cc33/index.m3u8';

function request(cookies: Record<string, string>, overrides: Partial<CookieRequest> = {}): CookieRequest {
  return { url: URL_OF_MASTER, query: '', cookies, sourceIp: '192.0.2.10', nowEpochSeconds: NOW, ...overrides };
}

function signed(policy: string, hash: 'SHA1' | 'SHA256' = 'SHA1') {
  return signedPolicyCookies(policy, 'KTEST', keys.privateKey, hash);
}

describe('verifySignedCookies', () => {
  it('accepts a custom policy whose wildcard covers the URL until DateLessThan', () => {
    const cookies = signed(customPolicy({ resource: 'https://d111.cloudfront.net/out/v1/aa11/*', expires: NOW + 1 }));

    expect(verifySignedCookies(request(cookies), trusted)).toEqual({ allowed: true, keyPairId: 'KTEST' });
    expect(verifySignedCookies(request(cookies, { nowEpochSeconds: NOW + 1 }), trusted)).toEqual({
      allowed: false,
      reason: 'expired',
    });
  });

  it('ignores the query string unless the policy names one', () => {
    const anyQuery = signed(customPolicy({ resource: URL_OF_MASTER, expires: NOW + 60 }));
    const oneQuery = signed(customPolicy({ resource: `${URL_OF_MASTER}?v=2`, expires: NOW + 60 }));

    expect(verifySignedCookies(request(anyQuery, { query: 'v=1' }), trusted).allowed).toBe(true);
    expect(verifySignedCookies(request(oneQuery, { query: 'v=2' }), trusted).allowed).toBe(true);
    expect(verifySignedCookies(request(oneQuery, { query: 'v=3' }), trusted)).toEqual({
      allowed: false,
      reason: 'resource-mismatch',
    });
  });

  it.each([
    ['no cookies', {}, 'missing-cookies'],
    ['an unsupported hash algorithm', { 'CloudFront-Hash-Algorithm': 'MD5' }, 'unsupported-hash-algorithm'],
    ['a signature outside the base64 alphabet', { 'CloudFront-Signature': 'abc$def' }, 'malformed-cookie'],
  ])('refuses %s', (_case, override, reason) => {
    const cookies =
      Object.keys(override).length === 0
        ? {}
        : { ...signed(customPolicy({ resource: '*', expires: NOW + 60 })), ...override };

    expect(verifySignedCookies(request(cookies), trusted)).toEqual({ allowed: false, reason });
  });

  it('refuses a correctly signed policy that CloudFront would reject as malformed', () => {
    const twoStatements = JSON.stringify({
      Statement: [
        { Resource: '*', Condition: { DateLessThan: { 'AWS:EpochTime': NOW + 60 } } },
        { Resource: '*', Condition: { DateLessThan: { 'AWS:EpochTime': NOW + 60 } } },
      ],
    });
    const noExpiry = JSON.stringify({ Statement: [{ Resource: '*', Condition: {} }] });
    const textExpiry = JSON.stringify({
      Statement: [{ Resource: '*', Condition: { DateLessThan: { 'AWS:EpochTime': String(NOW + 60) } } }],
    });

    for (const policy of [twoStatements, noExpiry, textExpiry, 'not json']) {
      expect(verifySignedCookies(request(signed(policy)), trusted)).toEqual({
        allowed: false,
        reason: 'malformed-policy',
      });
    }
  });

  it('checks the signature over the exact policy bytes', () => {
    const policy = customPolicy({ resource: '*', expires: NOW + 60 });
    const cookies = signed(policy);
    const reformatted = {
      ...cookies,
      'CloudFront-Policy': cloudFrontBase64(JSON.stringify(JSON.parse(policy), null, 1)),
    };

    expect(verifySignedCookies(request(reformatted), trusted)).toEqual({ allowed: false, reason: 'bad-signature' });
  });
});

describe('signed-cookie building blocks', () => {
  it('decodes CloudFront base64 and refuses other alphabets', () => {
    expect(decodeCloudFrontBase64(cloudFrontBase64(Buffer.from([0xfb, 0xff, 0xfe, 0x00])))).toEqual(
      Buffer.from([0xfb, 0xff, 0xfe, 0x00]),
    );
    expect(decodeCloudFrontBase64('a+b')).toBeUndefined();
    expect(decodeCloudFrontBase64('')).toBeUndefined();
  });

  it('matches Resource wildcards: * any run, ? one character, everything else literally', () => {
    expect(resourceMatches('https://h/out/v1/aa11/*', 'https://h/out/v1/aa11/b/c/index.m3u8')).toBe(true);
    expect(resourceMatches('https://h/out/v1/aa11/*', 'https://h/out/v1/aa12/index.m3u8')).toBe(false);
    expect(resourceMatches('https://h/seg_?.m4s', 'https://h/seg_1.m4s')).toBe(true);
    expect(resourceMatches('https://h/seg_?.m4s', 'https://h/seg_10.m4s')).toBe(false);
    expect(resourceMatches('https://h/a.b', 'https://h/aXb')).toBe(false);
    expect(resourceMatches('*', 'https://anything/at/all')).toBe(true);
  });

  it('matches IPv4 CIDR blocks, including IPv4-mapped socket addresses', () => {
    expect(ipv4InCidr('::ffff:127.0.0.1', '127.0.0.0/8')).toBe(true);
    expect(ipv4InCidr('192.0.2.10', '192.0.2.10/32')).toBe(true);
    expect(ipv4InCidr('192.0.2.11', '192.0.2.10/32')).toBe(false);
    expect(ipv4InCidr('10.1.2.3', '0.0.0.0/0')).toBe(true);
    expect(ipv4InCidr('::1', '0.0.0.0/0')).toBe(false);
    expect(ipv4InCidr('192.0.2.10', '192.0.2.10')).toBe(false);
  });

  it('parses Cookie headers, first occurrence wins', () => {
    expect(parseCookieHeader('a=1; b="2"; a=3; junk; =x')).toEqual({ a: '1', b: '2' });
    expect(parseCookieHeader(undefined)).toEqual({});
  });

  it('reads optional DateGreaterThan and IpAddress conditions', () => {
    const policy = customPolicy({ resource: '*', expires: NOW + 60, notBefore: NOW - 60, sourceIp: '192.0.2.0/24' });

    expect(parsePolicy(policy)).toEqual({
      resource: '*',
      notAfter: NOW + 60,
      notBefore: NOW - 60,
      sourceIp: '192.0.2.0/24',
    });
  });

  it('refuses to start with a key that is not an RSA public key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();

    expect(() => trustedKeyMap([{ keyPairId: 'KEC', publicKeyPem: pem }])).toThrow(/not an RSA key/);
  });
});
