import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicJsonFile } from '../../persistence/atomic-json-file';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../seam/local-events';
import {
  LocalServiceError,
  unsupportedCommand,
  type CommandInput,
  type CommandOutput,
  type LocalService,
} from '../../seam/local-service';
import type { ObjectStore } from '../../seam/object-store';
import { configurationHashes, egressFolder, newAssetHash, parseEgressPath } from './egress-paths';
import {
  dashNameOf,
  ingestDash,
  ingestHls,
  keyOf,
  masterNameOf,
  readSourceText,
  type CmafSource,
} from './ingest-source';
import { isHlsMaster, rewriteDashManifest, rewriteHlsManifest } from './manifest-references';
import { cacheClassOf, contentTypeOf, isHlsPlaylist, isPackagedMediaFile, type CacheClass } from './media-types';

export type PackagingType = 'HLS' | 'DASH';

export interface PackagingGroupSettings {
  id: string;
  configurations: { id: string; type: PackagingType }[];
}

export interface LocalMediaPackageVodOptions {
  dataDir: string;
  store: ObjectStore;
  /** Where egress URLs point: the local edge's origin (`http://127.0.0.1:<edgePort>`). */
  egressBaseUrl: string;
  groups: PackagingGroupSettings[];
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
  status: EndpointStatus;
  /** Why ingest failed, kept for whoever inspects the data folder. */
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
  source: CmafSource;
  assetHash: string;
  endpoints: StoredEndpoint[];
}

/** The packaging configurations' manifest name (templates/mediapackage/*: ManifestName "index"). */
const MANIFEST_NAME = 'index';
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

function isStoredAsset(value: unknown): value is StoredAsset {
  if (typeof value !== 'object' || value === null) return false;
  const asset = value as Partial<StoredAsset>;
  return typeof asset.id === 'string' && typeof asset.assetHash === 'string' && Array.isArray(asset.endpoints);
}

/**
 * MediaPackage VOD on one machine: assets packaged just in time from the one CMAF copy the local MediaConvert
 * wrote, as HLS (its playlists) and DASH (its MPD), over the same segments. Ingest is a synchronous check of the
 * whole CMAF tree, so a created asset is PLAYABLE (or FAILED, with the reason recorded) at once.
 */
export class LocalMediaPackageVod implements LocalService {
  readonly service = 'MediaPackageVod' as const;
  private readonly assets = new Map<string, StoredAsset>();
  private readonly assetsByHash = new Map<string, StoredAsset>();
  private readonly groups: Map<string, PackagingGroupSettings>;
  private readonly file: AtomicJsonFile;
  private readonly egressBaseUrl: string;

  constructor(private readonly options: LocalMediaPackageVodOptions) {
    this.groups = new Map(options.groups.map((group) => [group.id, group]));
    if (this.groups.size !== options.groups.length) throw new Error('packaging group ids must be unique');
    this.egressBaseUrl = options.egressBaseUrl.replace(/\/+$/, '');
    this.file = new AtomicJsonFile(join(options.dataDir, 'mediapackage', 'assets.json'));
    this.file.prepare();
    const saved = this.file.read();
    if (saved !== undefined) {
      if (!Array.isArray(saved) || !saved.every(isStoredAsset)) {
        throw new Error(`${this.file.path} is not a list of MediaPackage assets; move it away to start empty`);
      }
      for (const asset of saved) this.remember(asset);
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
    const { source } = asset;
    const file = location.file;
    if (endpoint.type === 'HLS') {
      if (file === `${MANIFEST_NAME}.m3u8`) {
        const master = await readSourceText(this.options.store, source, masterNameOf(source));
        return master === undefined ? undefined : this.manifest(file, rewriteHlsManifest(masterNameOf(source), master));
      }
      if (isHlsPlaylist(file)) {
        const playlist = await readSourceText(this.options.store, source, file);
        return playlist === undefined ? undefined : this.manifest(file, rewriteHlsManifest(file, playlist));
      }
    } else if (file === `${MANIFEST_NAME}.mpd`) {
      const mpd = await readSourceText(this.options.store, source, dashNameOf(source));
      return mpd === undefined ? undefined : this.manifest(file, rewriteDashManifest(dashNameOf(source), mpd));
    }
    if (!isPackagedMediaFile(file)) return undefined;
    const key = keyOf(source, file);
    if (!(await this.options.store.head(source.bucket, key))) return undefined;
    const body = await readFile(this.options.store.filePath(source.bucket, key));
    return { body, contentType: contentTypeOf(file), cacheClass: cacheClassOf(file) };
  }

  private manifest(file: string, text: string): EgressResponse {
    return { body: Buffer.from(text, 'utf8'), contentType: contentTypeOf(file), cacheClass: 'manifest' };
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
    const source = await this.checkSource(sourceArn);

    const assetHash = newAssetHash();
    const endpoints: StoredEndpoint[] = [];
    for (const configuration of group.configurations) {
      const failure =
        configuration.type === 'HLS'
          ? await ingestHls(this.options.store, source)
          : await ingestDash(this.options.store, source);
      endpoints.push({
        configurationId: configuration.id,
        type: configuration.type,
        ...configurationHashes(assetHash, configuration.id),
        status: failure === undefined ? 'PLAYABLE' : 'FAILED',
        ...(failure === undefined ? {} : { failure }),
      });
    }
    // Checked again: a concurrent CreateAsset of the same id may have finished while this one ingested.
    if (this.assets.has(id)) throw invalid(`an asset with id ${id} already exists`);
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
    return this.describe(asset);
  }

  /** The source must be an existing HLS master playlist in the local S3, as MediaPackage's ingest requires. */
  private async checkSource(sourceArn: string): Promise<CmafSource> {
    const match = S3_OBJECT_ARN.exec(sourceArn);
    if (!match?.[1] || !match[2])
      throw invalid(`SourceArn ${sourceArn} is not an S3 object ARN (arn:aws:s3:::bucket/key)`);
    const source: CmafSource = { bucket: match[1], masterKey: match[2] };
    if (!isHlsPlaylist(source.masterKey)) throw invalid(`SourceArn ${sourceArn} is not an HLS master playlist (.m3u8)`);
    if (!source.masterKey.includes('/')) throw invalid(`SourceArn ${sourceArn} must be inside a folder of its bucket`);
    const text = await readSourceText(this.options.store, source, masterNameOf(source));
    if (text === undefined) throw invalid(`source ${sourceArn} does not exist`);
    if (!isHlsMaster(text)) throw invalid(`source ${sourceArn} is not an HLS master playlist`);
    return source;
  }

  private describeAsset(input: CommandInput): Promise<CommandOutput> {
    return Promise.resolve(this.describe(this.existing(requiredString(input, 'Id'))));
  }

  private async deleteAsset(input: CommandInput): Promise<CommandOutput> {
    const asset = this.existing(requiredString(input, 'Id'));
    this.assets.delete(asset.id);
    this.assetsByHash.delete(asset.assetHash);
    await this.save();
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
        Url: `${this.egressBaseUrl}${egressFolder(asset.assetHash, endpoint.configHash, endpoint.manifestHash)}${MANIFEST_NAME}.${endpoint.type === 'HLS' ? 'm3u8' : 'mpd'}`,
      })),
    };
  }
}
