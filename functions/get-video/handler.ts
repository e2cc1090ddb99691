import { readAuthConfig } from '../commons/auth/auth-config';
import { createAuthenticator } from '../commons/auth/authenticate';
import { optionalEnv, requiredEnv } from '../commons/config';
import { detailOf, maySeeUnpublished } from '../commons/http/asset-views';
import { notFound } from '../commons/http/api-errors';
import { getCatalogueAsset } from '../commons/http/catalogue-asset';
import { httpHandler, type HttpEvent, type HttpResult } from '../commons/http/http-handler';
import { assetIdParameter } from '../commons/http/request-parts';
import { jsonResponse } from '../commons/http/responses';

const config = { table: requiredEnv('CATALOGUE_TABLE'), cdnBaseUrl: optionalEnv('CDN_BASE_URL') };
const auth = createAuthenticator(readAuthConfig());

/**
 * GET /videos/{assetId}. An asset that is not READY is a 404 for viewers, exactly like an unknown id, so its
 * existence is not revealed; its uploader and operators see it in every state (the uploader polls its progress).
 */
async function getVideo(event: HttpEvent): Promise<HttpResult> {
  const assetId = assetIdParameter(event);
  const caller = await auth.optionalCaller(event);
  const asset = await getCatalogueAsset(config.table, assetId);
  if (!asset || (asset.status !== 'READY' && !maySeeUnpublished(asset, caller))) {
    throw notFound(`no published asset ${assetId}`);
  }
  return jsonResponse(200, detailOf(asset, caller, config.cdnBaseUrl));
}

export const handler = httpHandler(getVideo);
