import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestErrors } from './s3-request-error';

const ALLOWED_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];
/** A browser completing a multipart upload needs each part's ETag, which CORS hides unless exposed. */
const EXPOSED_HEADERS = 'ETag, x-amz-version-id, x-amz-request-id, Content-Range, Content-Length';

/**
 * The bucket CORS rule the upload page needs: its exact origins (no `*`), the object methods, any request header.
 * Adds the response headers for an allowed origin; a request from any other origin gets none, so the browser blocks it.
 */
export function applyCorsHeaders(req: IncomingMessage, res: ServerResponse, allowedOrigins: readonly string[]): void {
  const origin = req.headers.origin;
  res.setHeader('Vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  if (origin === undefined || !allowedOrigins.includes(origin)) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

/** Answers a preflight as S3 does: 200 with the allowed method and headers, or 403 for an origin or method not allowed. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, allowedOrigins: readonly string[]): void {
  const origin = req.headers.origin;
  const method = req.headers['access-control-request-method'];
  if (origin === undefined || method === undefined) {
    throw requestErrors.badRequest('Insufficient information. Origin request header needed.');
  }
  if (!allowedOrigins.includes(origin) || !ALLOWED_METHODS.includes(method.toUpperCase())) {
    throw requestErrors.corsForbidden();
  }
  res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS.join(', '));
  const requestedHeaders = req.headers['access-control-request-headers'];
  if (requestedHeaders !== undefined) res.setHeader('Access-Control-Allow-Headers', requestedHeaders);
  res.setHeader('Access-Control-Max-Age', '3000');
  res.writeHead(200, { 'Content-Length': '0' }).end();
}
