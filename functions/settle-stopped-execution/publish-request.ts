import type { PublishRequest } from '../commons/types';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The publish request an execution was started with (start-publish writes it), or undefined if it is not one. */
export function parsePublishRequest(input: string | undefined): PublishRequest | undefined {
  if (input === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !isRecord(parsed.source)) return undefined;
  const { assetId, publishId, source } = parsed;
  const { bucket, key, versionId, etag, size } = source;
  if (typeof assetId !== 'string' || assetId === '' || typeof publishId !== 'string' || publishId === '') {
    return undefined;
  }
  if (typeof bucket !== 'string' || typeof key !== 'string' || typeof size !== 'number') return undefined;
  return {
    assetId,
    publishId,
    source: {
      bucket,
      key,
      versionId: typeof versionId === 'string' ? versionId : '',
      etag: typeof etag === 'string' ? etag : '',
      size,
    },
  };
}
