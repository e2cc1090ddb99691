import { sign, type KeyObject } from 'node:crypto';

/** Signs cookies exactly as CloudFront expects them, independently of the edge's own code. */
export type HashAlgorithm = 'SHA1' | 'SHA256';

export interface PolicyOptions {
  resource: string;
  expires: number;
  notBefore?: number;
  sourceIp?: string;
}

export function cloudFrontBase64(bytes: Buffer | string): string {
  return Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

export function customPolicy(options: PolicyOptions): string {
  return JSON.stringify({
    Statement: [
      {
        Resource: options.resource,
        Condition: {
          DateLessThan: { 'AWS:EpochTime': options.expires },
          ...(options.notBefore === undefined ? {} : { DateGreaterThan: { 'AWS:EpochTime': options.notBefore } }),
          ...(options.sourceIp === undefined ? {} : { IpAddress: { 'AWS:SourceIp': options.sourceIp } }),
        },
      },
    ],
  });
}

function signature(policy: string, privateKey: KeyObject, hash: HashAlgorithm): Buffer {
  return sign(hash === 'SHA256' ? 'sha256' : 'sha1', Buffer.from(policy), privateKey);
}

export function signedPolicyCookies(
  policy: string,
  keyPairId: string,
  privateKey: KeyObject,
  hash: HashAlgorithm = 'SHA1',
): Record<string, string> {
  return {
    'CloudFront-Policy': cloudFrontBase64(policy),
    'CloudFront-Signature': cloudFrontBase64(signature(policy, privateKey, hash)),
    'CloudFront-Key-Pair-Id': keyPairId,
    ...(hash === 'SHA256' ? { 'CloudFront-Hash-Algorithm': 'SHA256' } : {}),
  };
}

/** Canned policy: one exact URL, the policy itself not sent (CloudFront rebuilds it from CloudFront-Expires). */
export function signedCannedCookies(
  url: string,
  expires: number,
  keyPairId: string,
  privateKey: KeyObject,
): Record<string, string> {
  const policy = `{"Statement":[{"Resource":"${url}","Condition":{"DateLessThan":{"AWS:EpochTime":${String(expires)}}}}]}`;
  return {
    'CloudFront-Expires': String(expires),
    'CloudFront-Signature': cloudFrontBase64(signature(policy, privateKey, 'SHA1')),
    'CloudFront-Key-Pair-Id': keyPairId,
  };
}

export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}
