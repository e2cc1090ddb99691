import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from '../../../functions/commons/logger';
import { locateFfmpegBinaries, type FfmpegBinaries } from '../../ffmpeg/locate-binaries';
import { FfmpegFailed } from '../../ffmpeg/run-ffmpeg';
import { AtomicJsonFile } from '../../persistence/atomic-json-file';
import { eventBridgeEvent, LOCAL_ACCOUNT, LOCAL_REGION, type PublishEvent } from '../../seam/local-events';
import {
  LocalServiceError,
  unsupportedCommand,
  type CommandInput,
  type CommandOutput,
  type LocalService,
} from '../../seam/local-service';
import type { ObjectStore } from '../../seam/object-store';
import { configurationHashes, egressFolder, newAssetHash, parseEgressPath } from './egress-paths';
import { ingestSource, sourceFormatOf, type AssetSource, type IngestedSource } from './ingest-source';
import { SourceRejected } from './inspect-source-mp4';
import {
  cacheClassOf,
  contentTypeOf,
  isDashManifest,
  isHlsPlaylist,
  isPackagedMediaFile,
  type CacheClass,
} from './media-types';
import { packageConfiguration } from './package-configuration';
import {
  manifestExtensionOf,
  manifestNamesOf,
  resolveConfiguration,
  type PackagingConfiguration,
  type PackagingType,
  type ResolvedConfiguration,
} from './packaging-configurations';

export type { PackagingConfiguration, PackagingType } from './packaging-configurations';

export interface PackagingGroupSettings {
  id: string;
  configurations: PackagingConfiguration[];
}

export interface LocalMediaPackageVodOptions {
  dataDir: string;
  store: ObjectStore;
  /** Where egress URLs point: the local edge's origin (`http://127.0.0.1:<edgePort>`). */
  egressBaseUrl: string;
  groups: PackagingGroupSettings[];
  /** ffmpeg/ffprobe for ingest (default: locateFfmpegBinaries()). */
  ffmpeg?: FfmpegBinaries;
  /** Where the "MediaPackage Input Notification" events go (IngestStart/IngestComplete/IngestError, VodAssetPlayable). */
  publish?: PublishEvent;
}

/** One file of the egress, ready to send. */
export interface EgressResponse {
  body: Buffer;
  contentType: string;
  cacheClass: CacheClass;
}

type EndpointStatus = 'PLAYABLE' | 'FAILED';

interface StoredEndpoint {
  configurationId: string;
  type: PackagingType;
  configHash: string;
  manifestHash: string;
  /** The configuration's manifests (`index.m3u8`); the first is the endpoint's Url. */
  manifests: string[];
  status: EndpointStatus;
  /** Why ingest failed (MediaPackage's IngestError), kept for whoever inspects the data folder. */
  failure?: string;
}

interface StoredAsset {
  id: string;
  arn: string;
  packagingGroupId: string;
  sourceArn: string;
  sourceRoleArn: string;
  resourceId?: string;
  tags?: Record<string, string>;
  createdAt: string;
  source: AssetSource;
  assetHash: string;
  endpoints: StoredEndpoint[];
}

const ASSET_ID = /^[0-9A-Za-z_-]{1,128}$/;
const S3_OBJECT_ARN = /^arn:aws:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

function invalid(message: string): LocalServiceError {
  return new LocalServiceError('UnprocessableEntityException', message, { status: 422 });
}

function requiredString(input: CommandInput, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${name} is required`);
  return value;
}

function optionalString(input: CommandInput, name: string): string | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  return value;
}

function optionalTags(input: CommandInput): Record<string, string> | undefined {
  const tags = input.Tags;
  if (tags === undefined) return undefined;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw invalid('Tags must be a map of strings');
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.some(([, value]) => typeof value !== 'string')) throw invalid('Tags must be a map of strings');
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Assets saved before endpoints recorded their manifest names served `index`. */
function withManifestNames(asset: StoredAsset): StoredAsset {
  const endpoints = asset.endpoints.map((endpoint) =>
    Array.isArray(endpoint.manifests)
      ? endpoint
      : { ...endpoint, manifests: [endpoint.type === 'DASH' ? 'index.mpd' : 'index.m3u8'] },
  );
  return { ...asset, endpoints };
}

function isStoredAsset(value: unknown): value is StoredAsset {
  if (typeof value !== 'object' || value === null) return false;
  const asset = value as Partial<StoredAsset>;
  return typeof asset.id === 'string' && typeof asset.assetHash === 'string' && Array.isArray(asset.endpoints);
}

/**
 * MediaPackage VOD on one machine. CreateAsset ingests the source once (mediapackage/latest/ug/what-is-flow-vod.html):
 * a `.smil` of non-fragmented MP4s is checked and remuxed by ffmpeg (`-c copy`) into each packaging
 * configuration's segments and manifests under `<dataDir>/mediapackage/egress/`, which the egress then serves.
 * A source MediaPackage cannot ingest gives FAILED endpoints (the IngestError of
 * cloudwatch-events-example.html), not a CreateAsset error: the request was valid, the content is not.
 * AWS ingests asynchronously (endpoints QUEUED/PROCESSING first); here ingest finishes inside CreateAsset, so the
 * answer already carries the final PLAYABLE or FAILED.
 */
export class LocalMediaPackageVod implements LocalService {
  readonly service = 'MediaPackageVod' as const;
  private readonly assets = new Map<string, StoredAsset>();
  private readonly assetsByHash = new Map<string, StoredAsset>();
  private readonly groups: Map<string, { id: string; configurations: ResolvedConfiguration[] }>;
  private readonly file: AtomicJsonFile;
  private readonly egressRoot: string;
  private readonly egressBaseUrl: string;
  private binaries: FfmpegBinaries | undefined;

  constructor(private readonly options: LocalMediaPackageVodOptions) {
    this.groups = new Map(
      options.groups.map((group) => [
        group.id,
        { id: group.id, configurations: group.configurations.map(resolveConfiguration) },
      ]),
    );
    if (this.groups.size !== options.groups.length) throw new Error('packaging group ids must be unique');
    this.binaries = options.ffmpeg;
    this.egressBaseUrl = options.egressBaseUrl.replace(/\/+$/, '');
    this.file = new AtomicJsonFile(join(options.dataDir, 'mediapackage', 'assets.json'));
    this.egressRoot = join(options.dataDir, 'mediapackage', 'egress');
    this.file.prepare();
    const saved = this.file.read();
    if (saved !== undefined) {
      if (!Array.isArray(saved) || !saved.every(isStoredAsset)) {
        throw new Error(`${this.file.path} is not a list of MediaPackage assets; move it away to start empty`);
      }
      for (const asset of saved) this.remember(withManifestNames(asset));
    }
  }

  async handle(command: string, input: CommandInput): Promise<CommandOutput> {
    switch (command) {
      case 'CreateAsset':
        return this.createAsset(input);
      case 'DescribeAsset':
        return this.describeAsset(input);
      case 'DeleteAsset':
        return this.deleteAsset(input);
      case 'ListAssets':
        return Promise.resolve(this.listAssets(input));
      default:
        throw unsupportedCommand(this.service, command);
    }
  }

  /** Serves one egress path (`/out/v1/...`); undefined answers 404 (unknown or deleted asset, unknown file). */
  async resolve(path: string): Promise<EgressResponse | undefined> {
    const location = parseEgressPath(path);
    if (!location) return undefined;
    const asset = this.assetsByHash.get(location.assetHash);
    const endpoint = asset?.endpoints.find(
      (candidate) => candidate.configHash === location.configHash && candidate.manifestHash === location.manifestHash,
    );
    if (!asset || endpoint?.status !== 'PLAYABLE') return undefined;
    const file = location.file;
    // Everything a configuration serves sits in its one folder: no sub-folders.
    if (file.includes('/')) return undefined;
    const manifestFile = endpoint.type === 'DASH' ? isDashManifest(file) : isHlsPlaylist(file);
    if (!manifestFile && !isPackagedMediaFile(file)) return undefined;
    const body = await readFile(join(this.egressRoot, asset.assetHash, endpoint.configHash, file)).catch(
      () => undefined,
    );
    if (!body) return undefined;
    return { body, contentType: contentTypeOf(file), cacheClass: cacheClassOf(file) };
  }

  private ffmpeg(): FfmpegBinaries {
    this.binaries ??= locateFfmpegBinaries();
    return this.binaries;
  }

  private async createAsset(input: CommandInput): Promise<CommandOutput> {
    const id = requiredString(input, 'Id');
    if (!ASSET_ID.test(id)) throw invalid('Id may contain only letters, digits, hyphens and underscores (1-128)');
    const packagingGroupId = requiredString(input, 'PackagingGroupId');
    const sourceArn = requiredString(input, 'SourceArn');
    const sourceRoleArn = requiredString(input, 'SourceRoleArn');
    const resourceId = optionalString(input, 'ResourceId');
    const tags = optionalTags(input);
    const group = this.groups.get(packagingGroupId);
    if (!group) throw invalid(`packaging group ${packagingGroupId} does not exist`);
    const role = ROLE_ARN.exec(sourceRoleArn);
    if (!role) throw invalid(`SourceRoleArn ${sourceRoleArn} is not an IAM role ARN`);
    if (role[1] !== LOCAL_ACCOUNT) {
      throw new LocalServiceError('ForbiddenException', `MediaPackage cannot assume ${sourceRoleArn}`, { status: 403 });
    }
    if (this.assets.has(id)) throw invalid(`an asset with id ${id} already exists`);
    const { source, format } = await this.checkSource(sourceArn);

    const assetHash = newAssetHash();
    const endpoints = await this.ingest(id, assetHash, source, format, group.configurations);
    // Checked again: a concurrent CreateAsset of the same id may have finished while this one ingested.
    if (this.assets.has(id)) {
      await rm(join(this.egressRoot, assetHash), { recursive: true, force: true });
      throw invalid(`an asset with id ${id} already exists`);
    }
    const asset: StoredAsset = {
      id,
      arn: `arn:aws:mediapackage-vod:${LOCAL_REGION}:${LOCAL_ACCOUNT}:assets/${id}`,
      packagingGroupId,
      sourceArn,
      sourceRoleArn,
      ...(resourceId === undefined ? {} : { resourceId }),
      ...(tags === undefined ? {} : { tags }),
      createdAt: new Date().toISOString(),
      source,
      assetHash,
      endpoints,
    };
    this.remember(asset);
    await this.save();
    this.announce(asset);
    return this.describe(asset);
  }

  /** cloudwatch-events-example.html: VOD ingest status and playback readiness events, per asset and configuration. */
  private announce(asset: StoredAsset): void {
    const publish = this.options.publish;
    if (!publish) return;
    const notify = (detail: Record<string, unknown>, resources: string[] = [asset.arn]) => {
      publish(eventBridgeEvent('aws.mediapackage', 'MediaPackage Input Notification', detail, resources));
    };
    notify({ event: 'IngestStart', message: `Ingest started for asset '${asset.id}'` });
    const failed = asset.endpoints.filter((endpoint) => endpoint.status === 'FAILED');
    if (failed.length === asset.endpoints.length && failed.length > 0) {
      notify({ event: 'IngestError', message: failed[0]?.failure ?? 'ingest failed' });
      return;
    }
    notify({ event: 'IngestComplete', message: `Ingest completed for asset '${asset.id}'` });
    for (const endpoint of asset.endpoints.filter((candidate) => candidate.status === 'PLAYABLE')) {
      const configurationArn = `arn:aws:mediapackage-vod:${LOCAL_REGION}:${LOCAL_ACCOUNT}:packaging_configuration/${endpoint.configurationId}`;
      notify(
        {
          event: 'VodAssetPlayable',
          message: `Asset '${asset.id}' is now playable for PackagingConfiguration '${endpoint.configurationId}'`,
          packaging_configuration_id: endpoint.configurationId,
          manifest_urls: endpoint.manifests.map((manifest) => this.urlOf(asset, endpoint, manifest)),
        },
        [asset.arn, configurationArn],
      );
    }
  }

  private urlOf(asset: StoredAsset, endpoint: StoredEndpoint, manifest: string): string {
    return `${this.egressBaseUrl}${egressFolder(asset.assetHash, endpoint.configHash, endpoint.manifestHash)}${manifest}`;
  }

  /** Ingests once, then packages every configuration of the group into its own egress folder. */
  private async ingest(
    id: string,
    assetHash: string,
    source: AssetSource,
    format: 'smil' | 'hls',
    configurations: ResolvedConfiguration[],
  ): Promise<StoredEndpoint[]> {
    const workFolder = join(this.options.dataDir, 'mediapackage', 'ingest', assetHash);
    await mkdir(workFolder, { recursive: true });
    try {
      return await this.ingestInto(id, assetHash, source, format, configurations, workFolder);
    } finally {
      await rm(workFolder, { recursive: true, force: true });
    }
  }

  private async ingestInto(
    id: string,
    assetHash: string,
    source: AssetSource,
    format: 'smil' | 'hls',
    configurations: ResolvedConfiguration[],
    workFolder: string,
  ): Promise<StoredEndpoint[]> {
    const binaries = this.ffmpeg();
    let ingested: IngestedSource | undefined;
    let failure: string | undefined;
    try {
      ingested = await ingestSource(this.options.store, binaries, source, format, workFolder);
    } catch (error) {
      if (!(error instanceof SourceRejected || error instanceof FfmpegFailed)) throw error;
      failure = error.message;
      logger.warn('mediapackage ingest failed', { id, reason: failure });
    }
    const endpoints: StoredEndpoint[] = [];
    for (const configuration of configurations) {
      const hashes = configurationHashes(assetHash, configuration.id);
      const packagingFailure = ingested
        ? await this.packageInto(binaries.ffmpeg, ingested, configuration, assetHash, hashes.configHash)
        : failure;
      endpoints.push({
        configurationId: configuration.id,
        type: configuration.type,
        ...hashes,
        manifests: manifestNamesOf(configuration).map((name) => `${name}.${manifestExtensionOf(configuration)}`),
        status: packagingFailure === undefined ? 'PLAYABLE' : 'FAILED',
        ...(packagingFailure === undefined ? {} : { failure: packagingFailure }),
      });
    }
    return endpoints;
  }

  /** Packages one configuration into a fresh folder, then moves it in place; returns why it failed, if it did. */
  private async packageInto(
    ffmpeg: string,
    ingested: IngestedSource,
    configuration: ResolvedConfiguration,
    assetHash: string,
    configHash: string,
  ): Promise<string | undefined> {
    const target = join(this.egressRoot, assetHash, configHash);
    const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
    try {
      await packageConfiguration(ffmpeg, ingested, configuration, partial);
      await rename(partial, target);
      return undefined;
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      if (!(error instanceof FfmpegFailed)) throw error;
      logger.warn('mediapackage packaging failed', { configurationId: configuration.id, reason: error.message });
      return `${error.message}: ${error.stderrTail}`;
    }
  }

  /**
   * The request names an S3 object of a kind MediaPackage ingests. asset-create-details.html: "Source content must
   * be in a .smil (MP4) or .m3u8 (HLS/TS) file format".
   */
  private async checkSource(sourceArn: string): Promise<{ source: AssetSource; format: 'smil' | 'hls' }> {
    const match = S3_OBJECT_ARN.exec(sourceArn);
    if (!match?.[1] || !match[2])
      throw invalid(`SourceArn ${sourceArn} is not an S3 object ARN (arn:aws:s3:::bucket/key)`);
    const source: AssetSource = { bucket: match[1], key: match[2] };
    const format = sourceFormatOf(source.key);
    if (!format) throw invalid(`SourceArn ${sourceArn} is not a .smil or .m3u8 file`);
    if (!(await this.options.store.head(source.bucket, source.key)))
      throw invalid(`source ${sourceArn} does not exist`);
    return { source, format };
  }

  private describeAsset(input: CommandInput): Promise<CommandOutput> {
    return Promise.resolve(this.describe(this.existing(requiredString(input, 'Id'))));
  }

  private async deleteAsset(input: CommandInput): Promise<CommandOutput> {
    const asset = this.existing(requiredString(input, 'Id'));
    this.assets.delete(asset.id);
    this.assetsByHash.delete(asset.assetHash);
    await this.save();
    await rm(join(this.egressRoot, asset.assetHash), { recursive: true, force: true });
    return {};
  }

  private listAssets(input: CommandInput): CommandOutput {
    const packagingGroupId = optionalString(input, 'PackagingGroupId');
    const maxResults = input.MaxResults ?? 50;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
      throw invalid('MaxResults must be an integer from 1 to 1000');
    }
    const nextToken = optionalString(input, 'NextToken');
    const after = nextToken === undefined ? undefined : Buffer.from(nextToken, 'base64url').toString('utf8');
    if (after !== undefined && !ASSET_ID.test(after)) throw invalid('NextToken is not valid');
    const matching = [...this.assets.values()]
      .filter((asset) => packagingGroupId === undefined || asset.packagingGroupId === packagingGroupId)
      .filter((asset) => after === undefined || asset.id > after)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = matching.slice(0, maxResults);
    const last = page[page.length - 1];
    return {
      Assets: page.map((asset) => this.shallow(asset)),
      ...(matching.length > maxResults && last ? { NextToken: Buffer.from(last.id).toString('base64url') } : {}),
    };
  }

  private existing(id: string): StoredAsset {
    const asset = this.assets.get(id);
    if (!asset) throw new LocalServiceError('NotFoundException', `asset ${id} does not exist`, { status: 404 });
    return asset;
  }

  private remember(asset: StoredAsset): void {
    this.assets.set(asset.id, asset);
    this.assetsByHash.set(asset.assetHash, asset);
  }

  private save(): Promise<void> {
    return this.file.save(() => [...this.assets.values()]);
  }

  private shallow(asset: StoredAsset): CommandOutput {
    return {
      Arn: asset.arn,
      CreatedAt: asset.createdAt,
      Id: asset.id,
      PackagingGroupId: asset.packagingGroupId,
      ...(asset.resourceId === undefined ? {} : { ResourceId: asset.resourceId }),
      SourceArn: asset.sourceArn,
      SourceRoleArn: asset.sourceRoleArn,
      ...(asset.tags === undefined ? {} : { Tags: asset.tags }),
    };
  }

  private describe(asset: StoredAsset): CommandOutput {
    return {
      ...this.shallow(asset),
      EgressEndpoints: asset.endpoints.map((endpoint) => ({
        PackagingConfigurationId: endpoint.configurationId,
        Status: endpoint.status,
        Url: this.urlOf(asset, endpoint, endpoint.manifests[0] ?? ''),
      })),
    };
  }
}
