import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { requestErrors } from './s3-request-error';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface PresignedRequest {
  method: string;
  /** The request target exactly as received: `/s3/bucket/key?X-Amz-...`. */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface VerifiedRequest {
  accessKeyId: string;
  /** Query parameters, decoded, the signature included. */
  query: Map<string, string>;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html (X-Amz-Expires: 1 to 604800)
const MAX_EXPIRES_SECONDS = 604_800;
const REQUIRED = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders'];

/**
 * Checks a SigV4 query-string signature the way S3 does: the canonical request is rebuilt from what arrived (method,
 * path, every query parameter but the signature, the signed headers' received values), signed with the secret of
 * the access key named in the credential scope, and compared in constant time. Any header the URL was signed
 * with (content-type, content-length, x-amz-checksum-*) must therefore arrive with the signed value.
 */
export function verifyPresignedRequest(
  request: PresignedRequest,
  options: { credentials: S3Credentials; region: string; now: Date },
): VerifiedRequest {
  const { path, query } = splitTarget(request.url);
  const signature = query.get('X-Amz-Signature');
  if (signature === undefined) {
    if (request.headers.authorization !== undefined) {
      throw requestErrors.accessDenied('local S3 accepts only pre-signed (query string) requests');
    }
    throw requestErrors.accessDenied();
  }
  const missing = REQUIRED.filter((name) => !query.has(name));
  if (missing.length > 0) {
    throw requestErrors.queryParameters(
      `Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters (missing ${missing.join(', ')}).`,
    );
  }
  const param = (name: string) => query.get(name) ?? '';

  if (param('X-Amz-Algorithm') !== ALGORITHM) {
    throw requestErrors.queryParameters(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  const amzDate = param('X-Amz-Date');
  const signedAt = parseAmzDate(amzDate);
  const expires = Number(param('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS) {
    throw requestErrors.queryParameters('X-Amz-Expires must be a whole number of seconds from 1 to 604800 (a week)');
  }

  const [accessKeyId = '', ...scopeParts] = param('X-Amz-Credential').split('/');
  const [scopeDate, scopeRegion, scopeService, terminator] = scopeParts;
  if (scopeParts.length !== 4 || terminator !== 'aws4_request' || scopeService !== 's3') {
    throw requestErrors.queryParameters(
      'Error parsing the X-Amz-Credential parameter; expected <access key>/<date>/<region>/s3/aws4_request',
    );
  }
  if (scopeRegion !== options.region) {
    throw requestErrors.queryParameters(
      `Error parsing the X-Amz-Credential parameter; the region '${String(scopeRegion)}' is wrong; expecting '${options.region}'`,
    );
  }
  if (scopeDate !== amzDate.slice(0, 8)) {
    throw requestErrors.queryParameters(
      'Error parsing the X-Amz-Credential parameter; the date in the scope does not match X-Amz-Date',
    );
  }
  if (!safeEqual(accessKeyId, options.credentials.accessKeyId)) throw requestErrors.invalidAccessKeyId(accessKeyId);

  const expiresAt = new Date(signedAt.getTime() + expires * 1000);
  if (options.now.getTime() > expiresAt.getTime()) throw requestErrors.expired(expiresAt, options.now);

  const signedHeaders = param('X-Amz-SignedHeaders').split(';');
  if (!signedHeaders.includes('host')) {
    throw requestErrors.queryParameters('X-Amz-SignedHeaders must include host');
  }
  const canonicalRequest = [
    request.method,
    canonicalPath(path),
    canonicalQuery(request.url),
    ...signedHeaders.map((name) => `${name}:${headerValue(request.headers, name)}`),
    '',
    signedHeaders.join(';'),
    query.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = scopeParts.join('/');
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = [scopeDate, scopeRegion, scopeService, terminator].reduce<Buffer>(
    (key, part) => hmac(key, part),
    Buffer.from(`AWS4${options.credentials.secretAccessKey}`, 'utf8'),
  );
  const expected = hmac(signingKey, stringToSign).toString('hex');
  if (!safeEqual(signature, expected)) {
    // S3 returns both so a client can find which part it signed differently; neither reveals the secret.
    throw requestErrors.signatureDoesNotMatch({
      AWSAccessKeyId: accessKeyId,
      StringToSign: stringToSign,
      CanonicalRequest: canonicalRequest,
    });
  }
  return { accessKeyId, query };
}

/** Path and decoded query parameters of a request target. */
export function splitTarget(url: string): { path: string; query: Map<string, string> } {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const query = new Map<string, string>();
  for (const [name, value] of queryPairs(at < 0 ? '' : url.slice(at + 1))) {
    if (!query.has(name)) query.set(name, value);
  }
  return { path, query };
}

function queryPairs(search: string): [string, string][] {
  return search
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      const value = equals < 0 ? '' : pair.slice(equals + 1);
      return [decode(name), decode(value)];
    });
}

/** Each segment as the SDK signs an S3 path: decoded once, then strictly RFC 3986 encoded. */
function canonicalPath(path: string): string {
  return path
    .split('/')
    .map((segment) => strictEncode(decode(segment)))
    .join('/');
}

function canonicalQuery(url: string): string {
  const at = url.indexOf('?');
  return queryPairs(at < 0 ? '' : url.slice(at + 1))
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [strictEncode(name), strictEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a === b ? compare(x, y) : compare(a, b)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text.trim().replace(/\s+/g, ' ');
}

function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  const date = match ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw requestErrors.queryParameters("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  return date;
}

function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw requestErrors.invalidUri();
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Constant-time comparison that also hides the expected value's length from timing. */
function safeEqual(received: string, expected: string): boolean {
  const a = createHash('sha256').update(received).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && received === expected;
}
