import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../commons/clients/dynamo';
import { catalogueAssetOf, type CatalogueAsset } from '../commons/http/catalogue-asset';
import { encodeCursor } from './catalogue-cursor';
import type { ListQuery } from './list-query';

export const STATUS_INDEX = 'byStatus';

/** One page of one status, most recently changed first, from the byStatus index (status + updatedAt). */
export async function queryCatalogue(
  table: string,
  query: ListQuery,
): Promise<{ assets: CatalogueAsset[]; next?: string }> {
  const { Items, LastEvaluatedKey } = await dynamo.send(
    new QueryCommand({
      TableName: table,
      IndexName: STATUS_INDEX,
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': query.status },
      ScanIndexForward: false,
      Limit: query.limit,
      ...(query.startKey ? { ExclusiveStartKey: { ...query.startKey } } : {}),
    }),
  );
  const assets = (Items ?? []).flatMap((item) => catalogueAssetOf(item) ?? []);
  const next = nextCursor(LastEvaluatedKey, query);
  return { assets, ...(next ? { next } : {}) };
}

function nextCursor(key: Record<string, unknown> | undefined, query: ListQuery): string | undefined {
  if (!key) return undefined;
  const { assetId, updatedAt } = key;
  if (typeof assetId !== 'string' || typeof updatedAt !== 'string') return undefined;
  return encodeCursor({ assetId, status: query.status, updatedAt });
}
