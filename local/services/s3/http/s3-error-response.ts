import type { ServerResponse } from 'node:http';
import { LocalServiceError } from '../../../seam/local-service';
import { S3RequestError } from './s3-request-error';

/** Writes an error as S3 does: its status and `<Error><Code/><Message/>...</Error>` (no body for HEAD). */
export function sendS3Error(
  res: ServerResponse,
  error: unknown,
  context: { method: string; resource: string; requestId: string },
): void {
  const known = error instanceof LocalServiceError;
  const code = known ? error.name : 'InternalError';
  // Only S3's own errors carry their message; anything else is S3's InternalError, never the JavaScript text.
  const message = known ? error.message : 'We encountered an internal error. Please try again.';
  const status = known ? error.$metadata.httpStatusCode : 500;
  const details = error instanceof S3RequestError ? error.details : {};
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    element('Code', code) +
    element('Message', message) +
    Object.entries(details)
      .map(([name, value]) => element(name, value))
      .join('') +
    element('Resource', context.resource) +
    element('RequestId', context.requestId) +
    '</Error>';
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.setHeader('x-amz-request-id', context.requestId);
  if (context.method === 'HEAD') {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) }).end(body);
}

function element(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

export function escapeXml(text: string): string {
  const entities: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };
  return text.replace(/[<>&'"]/g, (char) => entities[char] ?? char);
}
