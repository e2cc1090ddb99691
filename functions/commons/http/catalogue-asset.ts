import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/dynamo';

/** Statuses a catalogue record goes through: the upload API's, the workflow's, and the operators' unpublish. */
export const ASSET_STATUSES = [
  'AWAITING_UPLOAD',
  'INGESTED',
  'TRANSCODING',
  'READY',
  'FAILED',
  'REJECTED',
  'UNPUBLISHED',
] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

/** Assets without an explicit level (for instance bulk copies into the bucket) need this entitlement to play. */
export const DEFAULT_ACCESS_LEVEL = 'subscriber';

/**
 * The catalogue record as the API reads it: the upload API's attributes (title, accessLevel, uploadedBy, upload)
 * plus what the workflow writes (RecordAsset, progress, MarkPublished, RecordFailure/RecordRejection).
 */
export interface CatalogueAsset {
  assetId: string;
  status: AssetStatus;
  title?: string;
  accessLevel: string;
  uploadedBy?: string;
  createdAt?: string;
  updatedAt?: string;
  publishedAt?: string;
  unpublishedAt?: string;
  unpublishedBy?: string;
  upload?: { key: string; size: number; contentType: string };
  source?: { key?: string; size?: number };
  media?: { durationSeconds?: number; width?: number; height?: number };
  job?: { id?: string; progress?: number };
  renditions?: { name: string; width: number; height: number; maxBitrate: number; codec: string }[];
  playback?: { hls: string; dash: string };
  thumbnails?: { poster?: string; trickplay?: string };
  mediaPackageAssetId?: string;
  error?: { state?: string; code?: string; cause?: string; failedAt?: string };
}

/** Reads a DynamoDB item into the API's view; an item without a known status is not an asset the API can serve. */
export function catalogueAssetOf(item: Record<string, unknown>): CatalogueAsset | undefined {
  const { assetId, status, accessLevel } = item;
  if (typeof assetId !== 'string' || !isStatus(status)) return undefined;
  return {
    ...(item as Partial<CatalogueAsset>),
    assetId,
    status,
    accessLevel: typeof accessLevel === 'string' && accessLevel !== '' ? accessLevel : DEFAULT_ACCESS_LEVEL,
  };
}

export function isStatus(value: unknown): value is AssetStatus {
  return typeof value === 'string' && (ASSET_STATUSES as readonly string[]).includes(value);
}

/** One asset by id, strongly consistent (a just-unpublished asset must not get a new cookie). */
export async function getCatalogueAsset(table: string, assetId: string): Promise<CatalogueAsset | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: table, Key: { assetId }, ConsistentRead: true }));
  return Item ? catalogueAssetOf(Item) : undefined;
}
