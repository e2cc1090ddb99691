import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The HTTP API's routes (serverless.yml `httpApi` events), by the function that serves each. */
export const API_ROUTES = [
  { method: 'POST', path: '/uploads', functionName: 'createUpload' },
  { method: 'GET', path: '/videos', functionName: 'listVideos' },
  { method: 'GET', path: '/videos/{assetId}', functionName: 'getVideo' },
  { method: 'POST', path: '/play/{assetId}', functionName: 'authorizePlayback' },
  { method: 'POST', path: '/videos/{assetId}/unpublish', functionName: 'unpublishVideo' },
] as const;

type Invoke = (functionName: string, event: unknown) => Promise<unknown>;

interface RouteMatch {
  routeKey: string;
  functionName: string;
  pathParameters: Record<string, string>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

function match(method: string, path: string): RouteMatch | 'method-not-allowed' | undefined {
  const segments = path.split('/').filter(Boolean);
  let pathMatched = false;
  for (const route of API_ROUTES) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    const ok = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      if (part.startsWith('{')) {
        parameters[part.slice(1, -1)] = decodeURIComponent(segment);
        return segment.length > 0;
      }
      return part === segment;
    });
    if (!ok) continue;
    pathMatched = true;
    if (route.method === method) {
      return {
        routeKey: `${route.method} ${route.path}`,
        functionName: route.functionName,
        pathParameters: parameters,
      };
    }
  }
  return pathMatched ? 'method-not-allowed' : undefined;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RangeError('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function isText(contentType: string | undefined): boolean {
  return !contentType || /^(text\/|application\/(json|x-www-form-urlencoded|xml))/i.test(contentType);
}

interface ApiResult {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/**
 * API Gateway HTTP API (payload format 2.0) in front of the in-process functions: the request becomes the event
 * the function gets in the cloud, and its result becomes the response, Set-Cookie from `cookies` included.
 */
export function httpApi(invoke: Invoke, allowedOrigins: string[]) {
  return async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    const method = (request.method ?? 'GET').toUpperCase();
    const origin = request.headers.origin;
    if (method === 'OPTIONS') {
      // The HTTP API's CORS configuration answers preflights itself, for the configured origins only.
      const headers: Record<string, string> = { vary: 'Origin' };
      if (origin && allowedOrigins.includes(origin)) {
        Object.assign(headers, {
          'access-control-allow-origin': origin,
          'access-control-allow-credentials': 'true',
          'access-control-allow-methods': 'GET,POST,OPTIONS',
          'access-control-allow-headers': 'authorization,content-type',
          'access-control-max-age': '600',
        });
      }
      response.writeHead(204, headers);
      response.end();
      return;
    }
    const url = new URL(path, 'http://local');
    const route = match(method, url.pathname);
    if (route === undefined) {
      send(response, 404, { message: 'Not Found' });
      return;
    }
    if (route === 'method-not-allowed') {
      send(response, 405, { message: 'Method Not Allowed' });
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(request);
    } catch {
      send(response, 413, { message: 'Request Entity Too Large' });
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(request.headers)
        .filter(([name]) => name !== 'cookie')
        .map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]),
    );
    const text = isText(request.headers['content-type']);
    const now = new Date();
    const query = Object.fromEntries(url.searchParams.entries());
    const event = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.searchParams.toString(),
      ...(request.headers.cookie ? { cookies: request.headers.cookie.split(/;\s*/) } : {}),
      headers,
      ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
      ...(Object.keys(route.pathParameters).length > 0 ? { pathParameters: route.pathParameters } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: request.headers.host ?? '127.0.0.1',
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
          userAgent: request.headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: route.routeKey,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: body.length > 0 && !text,
    };

    let result: ApiResult;
    try {
      const raw = await invoke(route.functionName, event);
      result =
        raw !== null && typeof raw === 'object' && 'statusCode' in raw
          ? (raw as ApiResult)
          : { statusCode: 200, body: JSON.stringify(raw), headers: { 'content-type': 'application/json' } };
    } catch {
      // An unhandled function error: API Gateway answers 500 without detail.
      send(response, 500, { message: 'Internal Server Error' });
      return;
    }
    const responseHeaders: Record<string, string | string[]> = Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
    );
    if (result.cookies && result.cookies.length > 0) responseHeaders['set-cookie'] = result.cookies;
    response.writeHead(result.statusCode ?? 200, responseHeaders);
    response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
  };
}
