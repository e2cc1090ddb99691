import { readAuthConfig } from '../commons/auth/auth-config';
import { createAuthenticator } from '../commons/auth/authenticate';
import { isOperator } from '../commons/auth/entitlements';
import { optionalEnv, requiredEnv } from '../commons/config';
import { summaryOf, type AssetSummary } from '../commons/http/asset-views';
import { badRequest, forbidden } from '../commons/http/api-errors';
import { httpHandler, type HttpEvent, type HttpResult } from '../commons/http/http-handler';
import { jsonResponse } from '../commons/http/responses';
import { parseListQuery } from './list-query';
import { queryCatalogue } from './query-catalogue';

const config = { table: requiredEnv('CATALOGUE_TABLE'), cdnBaseUrl: optionalEnv('CDN_BASE_URL') };
const auth = createAuthenticator(readAuthConfig());

export interface ListVideosResponse {
  items: AssetSummary[];
  next?: string;
}

/** GET /videos: published assets for anyone (a sent token must be valid); operators may list any status. */
async function listVideos(event: HttpEvent): Promise<HttpResult> {
  const caller = await auth.optionalCaller(event);
  const parsed = parseListQuery(event.queryStringParameters);
  if (!parsed.ok) throw badRequest(parsed.problems);
  if (parsed.query.status !== 'READY' && !isOperator(caller)) {
    throw forbidden('only operators may list assets that are not READY');
  }
  const page = await queryCatalogue(config.table, parsed.query);
  const body: ListVideosResponse = {
    items: page.assets.map((asset) => summaryOf(asset, config.cdnBaseUrl)),
    ...(page.next ? { next: page.next } : {}),
  };
  return jsonResponse(200, body);
}

export const handler = httpHandler(listVideos);
