import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * CloudFront's signed-cookie check, as the edge runs it before every request to a protected path. Pure: the
 * request (URL, cookies, client IP, clock) and the trusted public keys in, a verdict out.
 *
 * Cookies: CloudFront-Key-Pair-Id, CloudFront-Signature and either CloudFront-Policy (custom policy) or
 * CloudFront-Expires (canned policy), optionally CloudFront-Hash-Algorithm=SHA256 (default SHA1). Policy and
 * signature use CloudFront's base64 variant (`+`->`-`, `=`->`_`, `/`->`~`); the RSA signature covers the policy's
 * exact JSON bytes.
 */

export interface TrustedKey {
  keyPairId: string;
  publicKeyPem: string;
}

export type TrustedKeys = ReadonlyMap<string, KeyObject>;

export interface CookieRequest {
  /** `scheme://host/path` as the viewer asked for it, without the query string. */
  url: string;
  /** The query string without `?`; '' when there is none. */
  query: string;
  cookies: Readonly<Record<string, string>>;
  /** The viewer's address as the socket sees it (IPv4, IPv4-mapped IPv6 or IPv6). */
  sourceIp: string;
  nowEpochSeconds: number;
}

/** Why a request was refused: for the edge's own logs and tests, never for the viewer. */
export type DenialReason =
  | 'missing-cookies'
  | 'unknown-key-pair'
  | 'unsupported-hash-algorithm'
  | 'malformed-cookie'
  | 'bad-signature'
  | 'malformed-policy'
  | 'resource-mismatch'
  | 'expired'
  | 'not-yet-valid'
  | 'ip-mismatch';

export type CookieVerdict = { allowed: true; keyPairId: string } | { allowed: false; reason: DenialReason };

const deny = (reason: DenialReason): CookieVerdict => ({ allowed: false, reason });

/** Builds the key map once (PEM parsing is the slow part); throws on a bad key or a duplicate id. */
export function trustedKeyMap(keys: readonly TrustedKey[]): TrustedKeys {
  const map = new Map<string, KeyObject>();
  for (const key of keys) {
    if (map.has(key.keyPairId)) throw new Error(`trusted key ${key.keyPairId} is listed twice`);
    const publicKey = createPublicKey(key.publicKeyPem);
    if (publicKey.asymmetricKeyType !== 'rsa') throw new Error(`trusted key ${key.keyPairId} is not an RSA key`);
    map.set(key.keyPairId, publicKey);
  }
  return map;
}

/** Decodes CloudFront's URL-safe base64; undefined for anything that is not exactly that alphabet. */
export function decodeCloudFrontBase64(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9~-]+_{0,2}$/.test(value)) return undefined;
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

export function encodeCloudFrontBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

/** Parses a Cookie header; the first of two cookies with one name wins, as browsers send the most specific first. */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=');
    const name = pair.slice(0, Math.max(separator, 0)).trim();
    if (name === '') continue;
    let value = pair.slice(separator + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!(name in cookies)) cookies[name] = value;
  }
  return cookies;
}

/**
 * CloudFront's Resource wildcards: `*` any run of characters (also none), `?` exactly one. Matched with the
 * two-pointer wildcard algorithm (back to the last `*` on a mismatch), never a regular expression: a policy with many
 * `*` against a long URL stays at most proportional to their product, without a regex engine's backtracking.
 */
export function resourceMatches(pattern: string, url: string): boolean {
  let p = 0;
  let u = 0;
  let star = -1;
  let resume = 0;
  while (u < url.length) {
    if (p < pattern.length && (pattern[p] === '?' || (pattern[p] !== '*' && pattern[p] === url[u]))) {
      p += 1;
      u += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p;
      resume = u;
      p += 1;
    } else if (star !== -1) {
      p = star + 1;
      resume += 1;
      u = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Whether an address is inside an IPv4 CIDR block (CloudFront's IpAddress takes IPv4 CIDR only). */
export function ipv4InCidr(address: string, cidr: string): boolean {
  const [network, bitsText, ...rest] = cidr.split('/');
  if (network === undefined || bitsText === undefined || rest.length > 0 || !/^\d{1,2}$/.test(bitsText)) return false;
  const bits = Number(bitsText);
  const ip = ipv4ToNumber(address.replace(/^::ffff:/i, ''));
  const base = ipv4ToNumber(network);
  if (ip === undefined || base === undefined || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(base / size);
}

interface Statement {
  resource: string;
  notAfter: number;
  notBefore?: number;
  sourceIp?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function epochTime(condition: unknown): number | undefined {
  if (!isRecord(condition) || Object.keys(condition).length !== 1) return undefined;
  const value = condition['AWS:EpochTime'];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** The policy's one statement, or undefined for anything CloudFront would reject as malformed. */
export function parsePolicy(json: string): Statement | undefined {
  let policy: unknown;
  try {
    policy = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isRecord(policy) || Object.keys(policy).length !== 1 || !Array.isArray(policy.Statement)) return undefined;
  if (policy.Statement.length !== 1) return undefined;
  const statement: unknown = policy.Statement[0];
  if (!isRecord(statement) || typeof statement.Resource !== 'string' || !isRecord(statement.Condition))
    return undefined;
  if (Object.keys(statement).some((key) => key !== 'Resource' && key !== 'Condition')) return undefined;
  const condition = statement.Condition;
  if (Object.keys(condition).some((key) => !['DateLessThan', 'DateGreaterThan', 'IpAddress'].includes(key))) {
    return undefined;
  }
  const notAfter = epochTime(condition.DateLessThan);
  if (notAfter === undefined) return undefined;
  const parsed: Statement = { resource: statement.Resource, notAfter };
  if (condition.DateGreaterThan !== undefined) {
    const notBefore = epochTime(condition.DateGreaterThan);
    if (notBefore === undefined) return undefined;
    parsed.notBefore = notBefore;
  }
  if (condition.IpAddress !== undefined) {
    const ip = condition.IpAddress;
    if (!isRecord(ip) || Object.keys(ip).length !== 1 || typeof ip['AWS:SourceIp'] !== 'string') return undefined;
    parsed.sourceIp = ip['AWS:SourceIp'];
  }
  return parsed;
}

/** The canned policy CloudFront rebuilds from CloudFront-Expires: exact resource, no whitespace. */
export function cannedPolicy(resource: string, expires: number): string {
  return JSON.stringify({
    Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }],
  });
}

function signatureValid(policy: Buffer, signature: Buffer, key: KeyObject, algorithm: 'sha1' | 'sha256'): boolean {
  try {
    return verify(algorithm, policy, key, signature);
  } catch {
    return false;
  }
}

/** The URLs a policy's Resource may name for this request: without the query string, and with it when there is one. */
function candidateUrls(request: CookieRequest): string[] {
  return request.query === '' ? [request.url] : [request.url, `${request.url}?${request.query}`];
}

export function verifySignedCookies(request: CookieRequest, keys: TrustedKeys): CookieVerdict {
  const cookies = request.cookies;
  const keyPairId = cookies['CloudFront-Key-Pair-Id'];
  const signatureCookie = cookies['CloudFront-Signature'];
  const policyCookie = cookies['CloudFront-Policy'];
  const expiresCookie = cookies['CloudFront-Expires'];
  if (!keyPairId || !signatureCookie || (!policyCookie && !expiresCookie)) return deny('missing-cookies');

  const key = keys.get(keyPairId);
  if (!key) return deny('unknown-key-pair');
  const hashAlgorithm = cookies['CloudFront-Hash-Algorithm'] ?? 'SHA1';
  if (hashAlgorithm !== 'SHA1' && hashAlgorithm !== 'SHA256') return deny('unsupported-hash-algorithm');
  const algorithm = hashAlgorithm === 'SHA256' ? 'sha256' : 'sha1';
  const signature = decodeCloudFrontBase64(signatureCookie);
  if (!signature) return deny('malformed-cookie');

  let statement: Statement | undefined;
  if (policyCookie) {
    const policy = decodeCloudFrontBase64(policyCookie);
    if (!policy) return deny('malformed-cookie');
    if (!signatureValid(policy, signature, key, algorithm)) return deny('bad-signature');
    statement = parsePolicy(policy.toString('utf8'));
    if (!statement) return deny('malformed-policy');
    const resource = statement.resource;
    if (!candidateUrls(request).some((url) => resourceMatches(resource, url))) return deny('resource-mismatch');
  } else {
    if (!expiresCookie || !/^\d{1,12}$/.test(expiresCookie)) return deny('malformed-cookie');
    const expires = Number(expiresCookie);
    // A canned policy names one exact URL: the signature verifies only over the URL that was signed.
    const signed = candidateUrls(request).find((url) =>
      signatureValid(Buffer.from(cannedPolicy(url, expires), 'utf8'), signature, key, algorithm),
    );
    if (signed === undefined) return deny('bad-signature');
    statement = { resource: signed, notAfter: expires };
  }

  if (request.nowEpochSeconds >= statement.notAfter) return deny('expired');
  if (statement.notBefore !== undefined && request.nowEpochSeconds < statement.notBefore) return deny('not-yet-valid');
  if (statement.sourceIp !== undefined && !ipv4InCidr(request.sourceIp, statement.sourceIp)) return deny('ip-mismatch');
  return { allowed: true, keyPairId };
}
