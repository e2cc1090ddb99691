import { extname } from 'node:path';

/** How long the edge may keep a response: manifests change on a re-publish, everything else is immutable. */
export type CacheClass = 'manifest' | 'immutable';

/** Content types as MediaPackage and S3 (with MediaConvert's metadata) serve them. */
const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.cmfv': 'video/mp4',
  '.cmfa': 'audio/mp4',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.ts': 'video/mp2t',
  '.vtt': 'text/vtt',
  '.webvtt': 'text/vtt',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.json': 'application/json',
};

const MANIFESTS = new Set(['.m3u8', '.mpd']);

/** Files a packaging configuration may hand out besides its manifests: media segments and trick-play images. */
const MEDIA_FILES = new Set(['.mp4', '.m4v', '.m4s', '.cmfv', '.cmfa', '.m4a', '.aac', '.ts', '.vtt', '.webvtt']);
const IMAGE_FILES = new Set(['.jpg', '.jpeg', '.png', '.webp']);

function extensionOf(name: string): string {
  return extname(name).toLowerCase();
}

export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extensionOf(name)] ?? 'application/octet-stream';
}

export function cacheClassOf(name: string): CacheClass {
  return MANIFESTS.has(extensionOf(name)) ? 'manifest' : 'immutable';
}

export function isHlsPlaylist(name: string): boolean {
  return extensionOf(name) === '.m3u8';
}

export function isDashManifest(name: string): boolean {
  return extensionOf(name) === '.mpd';
}

/** A segment, an init segment, a subtitle or an image: the files an egress folder may hold besides manifests. */
export function isPackagedMediaFile(name: string): boolean {
  const extension = extensionOf(name);
  return MEDIA_FILES.has(extension) || IMAGE_FILES.has(extension);
}
