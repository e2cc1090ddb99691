import { readAuthConfig } from '../commons/auth/auth-config';
import { createAuthenticator } from '../commons/auth/authenticate';
import { isOperator } from '../commons/auth/entitlements';
import { optionalEnv, requiredEnv } from '../commons/config';
import { detailOf } from '../commons/http/asset-views';
import { conflict, forbidden, notFound } from '../commons/http/api-errors';
import { getCatalogueAsset, type CatalogueAsset } from '../commons/http/catalogue-asset';
import { httpHandler, type HttpEvent, type HttpResult } from '../commons/http/http-handler';
import { assetIdParameter } from '../commons/http/request-parts';
import { jsonResponse } from '../commons/http/responses';
import { logger } from '../commons/logger';
import { markUnpublished, withdrawPlayback } from './unpublish-asset';

const config = {
  table: requiredEnv('CATALOGUE_TABLE'),
  distributionId: requiredEnv('DISTRIBUTION_ID'),
  cdnBaseUrl: optionalEnv('CDN_BASE_URL'),
};
const auth = createAuthenticator(readAuthConfig());

/**
 * POST /videos/{assetId}/unpublish (operators): the asset stops being playable. Idempotent: an UNPUBLISHED asset
 * answers 200 with its state, after withdrawing its playback again in case an earlier attempt stopped half-way.
 */
async function unpublishVideo(event: HttpEvent): Promise<HttpResult> {
  const assetId = assetIdParameter(event);
  const caller = await auth.requiredCaller(event);
  if (!isOperator(caller)) throw forbidden('unpublishing needs the "operator" entitlement');

  let asset: CatalogueAsset | undefined = await getCatalogueAsset(config.table, assetId);
  if (!asset) throw notFound(`no asset ${assetId}`);
  if (asset.status === 'READY') {
    // undefined: it changed since the read; the re-read says whether someone else unpublished it first.
    asset =
      (await markUnpublished(config.table, assetId, caller.subject, new Date())) ??
      (await getCatalogueAsset(config.table, assetId));
  }
  if (asset?.status !== 'UNPUBLISHED') {
    throw conflict(`asset ${assetId} is ${asset?.status ?? 'gone'}: only READY assets can be unpublished`);
  }

  const invalidated = await withdrawPlayback(asset, config.distributionId);
  logger.info('asset unpublished', { assetId, by: caller.subject, invalidated });
  return jsonResponse(200, detailOf(asset, caller, config.cdnBaseUrl));
}

export const handler = httpHandler(unpublishVideo);
