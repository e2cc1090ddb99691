import type { AssetStatus } from '../commons/http/catalogue-asset';

/** The byStatus index's LastEvaluatedKey: the table key plus the index keys. */
export interface StatusPageKey {
  assetId: string;
  status: AssetStatus;
  updatedAt: string;
}

const ASSET_ID = /^[A-Za-z0-9_-]{8,40}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Opaque to clients: base64url of the page key. It is validated on the way back in, never trusted. */
export function encodeCursor(key: StatusPageKey): string {
  return Buffer.from(JSON.stringify({ a: key.assetId, s: key.status, u: key.updatedAt }), 'utf8').toString('base64url');
}

/**
 * The page key of a cursor, only if it is well formed and belongs to the listing asked for: a cursor edited to
 * point into another status (which a viewer may not list) or to carry other attributes is refused.
 */
export function decodeCursor(cursor: string, status: AssetStatus): StatusPageKey | undefined {
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return undefined;
  const fields = decoded as Record<string, unknown>;
  if (Object.keys(fields).sort().join(',') !== 'a,s,u') return undefined;
  const { a, s, u } = fields;
  if (typeof a !== 'string' || !ASSET_ID.test(a) || s !== status || typeof u !== 'string' || !TIMESTAMP.test(u)) {
    return undefined;
  }
  return { assetId: a, status, updatedAt: u };
}
