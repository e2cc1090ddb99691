import { sign, type KeyObject } from 'node:crypto';

/** A CloudFront custom policy, exactly as CloudFront parses it: one statement, the resource and its conditions. */
export interface CustomPolicy {
  Statement: [
    {
      Resource: string;
      Condition: {
        DateLessThan: { 'AWS:EpochTime': number };
        IpAddress?: { 'AWS:SourceIp': string };
      };
    },
  ];
}

export interface CookieScope {
  /** The URL pattern the cookies open, ending in `*`: `${cdnBaseUrl}${path}*`. */
  resource: string;
  /** The Set-Cookie Path, so the browser sends these cookies only under that prefix. */
  path: string;
}

export interface CookieSettings {
  keyPairId: string;
  secure: boolean;
  sameSite: 'Strict' | 'Lax' | 'None';
  domain?: string;
}

/** The policy for one scope, expiring at `expiresAt` (epoch seconds), optionally bound to one IPv4 address. */
export function customPolicy(resource: string, expiresAt: number, sourceIp?: string): CustomPolicy {
  return {
    Statement: [
      {
        Resource: resource,
        Condition: {
          DateLessThan: { 'AWS:EpochTime': expiresAt },
          ...(sourceIp ? { IpAddress: { 'AWS:SourceIp': `${sourceIp}/32` } } : {}),
        },
      },
    ],
  };
}

/** CloudFront's URL-safe base64: `+` -> `-`, `=` -> `_`, `/` -> `~`. */
export function cloudFrontBase64(data: Buffer | string): string {
  return Buffer.from(data).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

/**
 * The signed-cookie values for a policy. RSA-SHA256 over the exact policy JSON, announced to CloudFront with
 * `CloudFront-Hash-Algorithm=SHA256` (SHA-1, the default when the cookie is absent, is no longer a good choice).
 */
export function signedCookieValues(policy: CustomPolicy, privateKey: KeyObject, keyPairId: string) {
  const json = JSON.stringify(policy);
  return {
    'CloudFront-Policy': cloudFrontBase64(json),
    'CloudFront-Signature': cloudFrontBase64(sign('sha256', Buffer.from(json, 'utf8'), privateKey)),
    'CloudFront-Key-Pair-Id': keyPairId,
    'CloudFront-Hash-Algorithm': 'SHA256',
  };
}

/**
 * Set-Cookie lines for one scope. Max-Age and Expires both end when the policy does, so the browser drops the
 * cookies exactly when CloudFront would start refusing them. HttpOnly: page scripts never need to read them.
 */
export function setCookieHeaders(
  scope: CookieScope,
  expiresAt: number,
  now: number,
  privateKey: KeyObject,
  settings: CookieSettings & { sourceIp?: string },
): string[] {
  const policy = customPolicy(scope.resource, expiresAt, settings.sourceIp);
  const attributes = [
    `Path=${scope.path}`,
    `Expires=${new Date(expiresAt * 1000).toUTCString()}`,
    `Max-Age=${Math.max(0, expiresAt - now)}`,
    ...(settings.domain ? [`Domain=${settings.domain}`] : []),
    ...(settings.secure ? ['Secure'] : []),
    'HttpOnly',
    `SameSite=${settings.sameSite}`,
  ].join('; ');
  return Object.entries(signedCookieValues(policy, privateKey, settings.keyPairId)).map(
    ([name, value]) => `${name}=${value}; ${attributes}`,
  );
}
