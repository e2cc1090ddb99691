import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { listEnv } from '../config';
import { MissingConfiguration } from '../errors';
import { logger } from '../logger';
import { jsonErrorBody } from './json-error-body';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** Browsers may call the API with credentials only from these origins; `*` cannot go with credentials. */
function allowedOrigins(): string[] {
  const origins = listEnv('CORS_ALLOWED_ORIGINS', []);
  for (const origin of origins) {
    if (origin.includes('*') || !/^https?:\/\/[^/]+$/.test(origin)) {
      throw new MissingConfiguration(
        `CORS_ALLOWED_ORIGINS must list exact origins (scheme://host[:port]), got "${origin}"`,
      );
    }
  }
  return origins;
}

function logRefusal(error: unknown): void {
  const status = typeof error === 'object' && error !== null && 'statusCode' in error ? error.statusCode : undefined;
  if (typeof status === 'number' && status < 500) {
    logger.info('request refused', { status, reason: error instanceof Error ? error.message : undefined });
  } else {
    logger.error('request failed', { error });
  }
}

/**
 * The HTTP API's middleware stack around a route's logic. Header names arrive lower-cased; a JSON body is parsed
 * when the route takes one (415 otherwise); errors become `{ message }` JSON with their status. CORS runs last on
 * errors too, so a browser sees a 401 as a 401 and not as an opaque CORS failure.
 */
export function httpHandler(
  route: (event: HttpEvent, context: Context) => Promise<HttpResult>,
  options: { jsonBody?: boolean } = {},
): HttpHandler {
  const origins = allowedOrigins();
  const stack = middy<HttpEvent, HttpResult>()
    .use(httpHeaderNormalizer())
    .use(
      httpCors({
        origins,
        credentials: true,
        disableBeforePreflightResponse: false,
        headers: 'authorization,content-type',
        methods: 'GET,POST,OPTIONS',
        maxAge: 600,
      }),
    )
    .use(jsonErrorBody())
    .use(httpErrorHandler({ logger: logRefusal }));
  if (options.jsonBody === true) stack.use(httpJsonBodyParser<HttpEvent>());
  return stack.handler(route);
}
