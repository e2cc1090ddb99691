import { ASSET_STATUSES, isStatus, type AssetStatus } from '../commons/http/catalogue-asset';
import { decodeCursor, type StatusPageKey } from './catalogue-cursor';

export interface ListQuery {
  status: AssetStatus;
  limit: number;
  startKey?: StatusPageKey;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const KNOWN = ['status', 'limit', 'next'];

/** `?status=&limit=&next=`: every problem listed. Without a status the listing is the published (READY) assets. */
export function parseListQuery(
  parameters: Record<string, string | undefined> | undefined,
): { ok: true; query: ListQuery } | { ok: false; problems: string[] } {
  const params = parameters ?? {};
  const problems = Object.keys(params)
    .filter((name) => !KNOWN.includes(name))
    .map((name) => `unknown query parameter ${JSON.stringify(name)}`);

  const status = params.status ?? 'READY';
  if (!isStatus(status)) problems.push(`status must be one of ${ASSET_STATUSES.join(', ')}`);

  let limit = DEFAULT_LIMIT;
  if (params.limit !== undefined) {
    limit = /^\d{1,3}$/.test(params.limit) ? Number(params.limit) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) problems.push(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }

  let startKey: StatusPageKey | undefined;
  if (params.next !== undefined && isStatus(status)) {
    startKey = decodeCursor(params.next, status);
    if (!startKey) problems.push('next is not a cursor of this listing');
  }

  if (problems.length > 0 || !isStatus(status)) return { ok: false, problems };
  return { ok: true, query: { status, limit, ...(startKey ? { startKey } : {}) } };
}
