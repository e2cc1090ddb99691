import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logger } from '../../functions/commons/logger';
import { stackShape } from '../runtime/stack-shape';
import { decodePathSegment, LocalRequestRefused, readBody, refusals } from './request-guards';

/** The HTTP API's routes: serverless.yml's `httpApi` events, by the function that serves each. */
export const API_ROUTES = stackShape().routes;

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
        parameters[part.slice(1, -1)] = decodePathSegment(segment);
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

/**
 * Request headers as the payload 2.0 event carries them: lower-case names, and a header sent more than once is one
 * value joined with commas ("Duplicate headers are combined with commas",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html). Node
 * itself keeps only the first Authorization, so the distinct values are read. Cookies travel in `cookies`.
 */
export function eventHeaders(request: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headersDistinct)
      .filter(([name]) => name !== 'cookie')
      .map(([name, values]) => [name, (values ?? []).join(',')]),
  );
}

/** Every Cookie header's pairs, in order (payload 2.0 `cookies`). */
export function eventCookies(request: IncomingMessage): string[] {
  return (request.headersDistinct.cookie ?? []).flatMap((header) => header.split(/;\s*/)).filter(Boolean);
}

/**
 * Query parameters as payload 2.0 carries them: a name given more than once is one value joined with commas
 * ("Duplicate query strings are combined with commas", same page as above).
 */
export function eventQuery(search: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of search) query[name] = name in query ? `${query[name] ?? ''},${value}` : value;
  return query;
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
  const serve = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
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
    if (!path.startsWith('/') || path.startsWith('//')) throw refusals.badRequest();
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

    const body = await readBody(request, MAX_BODY_BYTES);
    const headers = eventHeaders(request);
    const cookies = eventCookies(request);
    const text = isText(request.headers['content-type']);
    const now = new Date();
    const query = eventQuery(url.searchParams);
    const event = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.searchParams.toString(),
      ...(cookies.length > 0 ? { cookies } : {}),
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
  // Never rejects: a refused request gets its 4xx, anything else a 500 without detail, as API Gateway answers.
  return async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    try {
      await serve(request, response, path);
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof LocalRequestRefused) {
        send(response, error.status, { message: error.message });
        return;
      }
      logger.error('local API request failed', { error });
      send(response, 500, { message: 'Internal Server Error' });
    }
  };
}
