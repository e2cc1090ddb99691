import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { TestJwtIssuer } from './jwt-issuer';

/**
 * Environment of the HTTP API functions as the stack sets it, with test values. The issuer's URLs come from the test
 * JWT issuer, which listens on an ephemeral port: set this before importing a handler (config is read at load).
 */
export function apiEnvironment(issuer: TestJwtIssuer, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    LOG_LEVEL: 'error',
    CATALOGUE_TABLE: 'vodflow-test-catalogue',
    SOURCE_BUCKET: 'vodflow-test-source',
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    CORS_ALLOWED_ORIGINS: 'https://watch.example.com,http://127.0.0.1:8450',
    CDN_BASE_URL: 'https://d111111abcdef8.cloudfront.net',
    CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
    SIGNING_KEY_SECRET_ID: 'vodflow-test/cloudfront-signing-key',
    DISTRIBUTION_ID: 'E2QWRUHAPOMQZL',
    ...overrides,
  };
}

/**
 * Loads a handler module with this environment, as a cold start would. Each test file has its own module
 * registry, so one environment per file; the SDK clients mocked by the test are the ones the handler imports.
 */
export function loadHandler<T>(load: () => T, environment: Record<string, string>): T {
  Object.assign(process.env, environment);
  return load();
}

export interface RequestOptions {
  token?: string;
  authorization?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  origin?: string;
  sourceIp?: string;
}

/** An API Gateway HTTP API (payload format 2.0) event as API Gateway sends it for `METHOD /path`. */
export function httpEvent(routeKey: string, rawPath: string, options: RequestOptions = {}): APIGatewayProxyEventV2 {
  const [method = 'GET'] = routeKey.split(' ');
  const headers: Record<string, string> = { host: 'api.example.com', 'user-agent': 'jest' };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (options.authorization !== undefined) headers.Authorization = options.authorization;
  if (options.origin !== undefined) headers.Origin = options.origin;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
  const query = options.query;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '203.0.113.7',
        userAgent: 'jest',
      },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: '21/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795255200000,
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}

export const lambdaContext = {
  functionName: 'vodflow-test-api',
  awsRequestId: 'req-1',
} as unknown as Context;

/** The parsed JSON body of a response. */
export function bodyOf(result: APIGatewayProxyStructuredResultV2): Record<string, unknown> {
  return JSON.parse(result.body ?? 'null') as Record<string, unknown>;
}

export const CDN = 'https://d111111abcdef8.cloudfront.net';
export const READY_ASSET_ID = '5d41402abc4b2a76b9719d911017c592';

/** A catalogue item as the workflow leaves it after MarkPublished, for an asset created through POST /uploads. */
export function readyItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const assetId = READY_ASSET_ID;
  const publishId = `${assetId}-0123456789abcdef`;
  return {
    assetId,
    status: 'READY',
    title: 'Big Buck Bunny',
    accessLevel: 'subscriber',
    uploadedBy: 'uploader-1',
    publishId,
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:vodflow-test-publish-video:${publishId}`,
    version: 1,
    upload: { key: `uploads/${assetId}/bunny.mp4`, size: 12345678, contentType: 'video/mp4' },
    source: {
      bucket: 'vodflow-test-source',
      key: `uploads/${assetId}/bunny.mp4`,
      versionId: 'v1',
      etag: 'e1',
      size: 12345678,
    },
    media: { durationSeconds: 596.5, width: 1920, height: 1080, frameRate: 24, videoCodec: 'H_264', hasAudio: true },
    job: { id: '1700000000000-abc123', progress: 100 },
    renditions: [
      { name: '1080p', width: 1920, height: 1080, maxBitrate: 6000000, codec: 'H_264' },
      { name: '360p', width: 640, height: 360, maxBitrate: 800000, codec: 'H_264' },
    ],
    playback: {
      hls: `${CDN}/out/v1/aa11/bb22/cc33/index.m3u8`,
      dash: `${CDN}/out/v1/aa11/dd44/ee55/index.mpd`,
    },
    thumbnails: {
      poster: `${CDN}/assets/${assetId}/${publishId}/poster/poster.0000001.jpg`,
      trickplay: `${CDN}/assets/${assetId}/${publishId}/cmaf/`,
    },
    mediaPackageAssetId: publishId,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:20:00.000Z',
    publishedAt: '2026-11-20T10:20:00.000Z',
    ...overrides,
  };
}
