import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

type Request = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 | undefined>;

const FALLBACK_MESSAGE = 'internal error';

/**
 * Runs after http-error-handler has chosen the status: every error answers `{ message, errors? }` as JSON, including
 * middy's own refusals (415 from the body parser). A 5xx keeps only a fixed message: no internal detail, no stack.
 */
export function jsonErrorBody(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request: Request) => {
      const response = request.response;
      if (response === undefined || response === null) return;
      const status = response.statusCode ?? 500;
      const error: unknown = request.error;
      const details = detailsOf(error);
      const message = status >= 500 ? FALLBACK_MESSAGE : messageOf(error, response.body);
      const headers = { ...(response.headers ?? {}) };
      delete headers['Content-Type'];
      request.response = {
        ...response,
        statusCode: status,
        headers: { ...headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
        body: JSON.stringify(status < 500 && details ? { message, errors: details } : { message }),
      };
    },
  };
}

function messageOf(error: unknown, body: unknown): string {
  if (error instanceof Error && error.message !== '') return error.message;
  return typeof body === 'string' && body !== '' ? body : 'request refused';
}

function detailsOf(error: unknown): string[] | undefined {
  if (typeof error !== 'object' || error === null || !('details' in error)) return undefined;
  const details: unknown = error.details;
  return Array.isArray(details) && details.every((item) => typeof item === 'string') ? details : undefined;
}
