import { CreateAssetCommand, DescribeAssetCommand, type EgressEndpoint } from '@aws-sdk/client-mediapackage-vod';
import { mediaPackageVod } from '../commons/clients/media-package-vod';
import { isAwsError } from '../commons/errors';
import { logger } from '../commons/logger';
import { AssetNotYetPlayable, PackagingFailed } from './packaging-errors';

export interface AssetRegistration {
  id: string;
  assetId: string;
  packagingGroupId: string;
  sourceArn: string;
  sourceRoleArn: string;
}

export interface WaitOptions {
  budgetMs: number;
  pollMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function describeAsset(id: string): Promise<EgressEndpoint[] | undefined> {
  try {
    const asset = await mediaPackageVod.send(new DescribeAssetCommand({ Id: id }));
    return asset.EgressEndpoints ?? [];
  } catch (error) {
    if (isAwsError(error, 'NotFoundException')) return undefined;
    throw error;
  }
}

/**
 * Finds the asset of this publish or creates it: a retry or a redrive after a lost response must not fail on
 * "already exists", and the asset id (the publishId) is unique per source version.
 */
export async function findOrCreateAsset(registration: AssetRegistration): Promise<EgressEndpoint[]> {
  const existing = await describeAsset(registration.id);
  if (existing) {
    logger.info('mediapackage asset already registered', { id: registration.id });
    return existing;
  }
  const created = await mediaPackageVod.send(
    new CreateAssetCommand({
      Id: registration.id,
      PackagingGroupId: registration.packagingGroupId,
      SourceArn: registration.sourceArn,
      SourceRoleArn: registration.sourceRoleArn,
      ResourceId: registration.id,
      Tags: { application: 'vodflow', assetId: registration.assetId },
    }),
  );
  logger.info('mediapackage asset created', { id: registration.id });
  return created.EgressEndpoints ?? [];
}

function pending(endpoints: EgressEndpoint[]): boolean {
  // Status is absent on old assets: treat absent as playable.
  return endpoints.some((endpoint) => endpoint.Status === 'QUEUED' || endpoint.Status === 'PROCESSING');
}

/**
 * Waits (within the budget) until every endpoint is PLAYABLE, so the catalogue never announces a URL that
 * answers 404. Past the budget it throws AssetNotYetPlayable for the state's Retry to call again.
 */
export async function waitUntilPlayable(
  id: string,
  endpoints: EgressEndpoint[],
  options: WaitOptions,
): Promise<EgressEndpoint[]> {
  const sleep = options.sleep ?? defaultSleep;
  let current = endpoints;
  let waited = 0;
  for (;;) {
    const failed = current.find((endpoint) => endpoint.Status === 'FAILED');
    if (failed) {
      throw new PackagingFailed(
        `MediaPackage failed to package asset ${id} for ${failed.PackagingConfigurationId ?? 'a configuration'}`,
      );
    }
    if (!pending(current)) return current;
    if (waited >= options.budgetMs) {
      throw new AssetNotYetPlayable(`asset ${id} is still being ingested after ${Math.round(waited / 1000)} s`);
    }
    await sleep(options.pollMs);
    waited += options.pollMs;
    current = (await describeAsset(id)) ?? [];
  }
}
