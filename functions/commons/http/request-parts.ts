import { badRequest } from './api-errors';
import type { HttpEvent } from './http-handler';

/**
 * Asset ids as the catalogue issues them: the upload API's 32 hex characters, or `a` + 24 hex for objects that
 * arrived another way (start-publish's asset identity). Anything else cannot name an asset.
 */
const ASSET_ID = /^[A-Za-z0-9_-]{8,40}$/;

/** The `{assetId}` path parameter, checked before it reaches a DynamoDB key or a CloudFront path. */
export function assetIdParameter(event: HttpEvent): string {
  const assetId = event.pathParameters?.assetId;
  if (assetId === undefined || !ASSET_ID.test(assetId)) {
    throw badRequest(['assetId must be 8 to 40 characters of A-Z, a-z, 0-9, "_" or "-"']);
  }
  return assetId;
}

/** The address API Gateway saw the request come from. */
export function sourceIpOf(event: HttpEvent): string {
  return event.requestContext.http.sourceIp;
}
