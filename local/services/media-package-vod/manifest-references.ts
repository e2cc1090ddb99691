import { posix } from 'node:path';

/** A manifest points outside the asset's CMAF folder: MediaPackage could not package it under one egress prefix. */
export class ReferenceOutsideAsset extends Error {
  override readonly name = 'ReferenceOutsideAsset';
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function splitSuffix(uri: string): { path: string; suffix: string } {
  const cut = uri.search(/[?#]/);
  return cut < 0 ? { path: uri, suffix: '' } : { path: uri.slice(0, cut), suffix: uri.slice(cut) };
}

/**
 * Resolves a URI written in the manifest at `manifestPath` (both relative to the CMAF folder) to a path relative to
 * that folder. Absolute URLs, root-relative paths and `../` above the folder are refused: every file a player
 * fetches must live under the asset's egress prefix, which is all its signed cookie opens.
 */
export function resolveReference(manifestPath: string, uri: string): string {
  const { path } = splitSuffix(uri);
  if (path === '' || SCHEME.test(path) || path.startsWith('/')) {
    throw new ReferenceOutsideAsset(`${manifestPath} references "${uri}", which is not a relative path`);
  }
  const resolved = posix.normalize(posix.join(posix.dirname(manifestPath), path));
  if (resolved === '..' || resolved.startsWith('../')) {
    throw new ReferenceOutsideAsset(`${manifestPath} references "${uri}", outside the asset's folder`);
  }
  return resolved;
}

/** The URI as it must be written in the served manifest: relative to the manifest's own folder, query kept. */
function relativeReference(manifestPath: string, uri: string): string {
  const resolved = resolveReference(manifestPath, uri);
  const relative = posix.relative(posix.dirname(manifestPath), resolved) || '.';
  const trailingSlash = uri.split(/[?#]/)[0]?.endsWith('/') === true && !relative.endsWith('/') ? '/' : '';
  return `${relative}${trailingSlash}${splitSuffix(uri).suffix}`;
}

const HLS_URI_ATTRIBUTE = /\bURI="([^"]*)"/g;

function mapHlsUris(text: string, map: (uri: string) => string): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (trimmed.startsWith('#')) return line.replace(HLS_URI_ATTRIBUTE, (_all, uri: string) => `URI="${map(uri)}"`);
      return map(trimmed);
    })
    .join('\n');
}

const DASH_URI_ATTRIBUTE = /\b(media|initialization|index|sourceURL|bitstreamSwitching)="([^"]*)"/g;
const DASH_BASE_URL = /<BaseURL([^>]*)>([^<]*)<\/BaseURL>/g;

function mapDashUris(text: string, map: (uri: string) => string): string {
  return text
    .replace(DASH_URI_ATTRIBUTE, (_all, attribute: string, uri: string) => `${attribute}="${map(uri)}"`)
    .replace(
      DASH_BASE_URL,
      (_all, attributes: string, uri: string) => `<BaseURL${attributes}>${map(uri.trim())}</BaseURL>`,
    );
}

/** Every file an HLS playlist references (variants, renditions, init sections, segments), relative to the folder. */
export function hlsReferences(manifestPath: string, text: string): string[] {
  const found: string[] = [];
  mapHlsUris(text, (uri) => {
    found.push(resolveReference(manifestPath, uri));
    return uri;
  });
  return found;
}

export function dashReferences(manifestPath: string, text: string): string[] {
  const found: string[] = [];
  mapDashUris(text, (uri) => {
    found.push(resolveReference(manifestPath, uri));
    return uri;
  });
  return found;
}

/** The playlist as the egress serves it: every URI relative and inside the asset's folder. */
export function rewriteHlsManifest(manifestPath: string, text: string): string {
  return mapHlsUris(text, (uri) => relativeReference(manifestPath, uri));
}

export function rewriteDashManifest(manifestPath: string, text: string): string {
  return mapDashUris(text, (uri) => relativeReference(manifestPath, uri));
}

/** Whether a playlist is a multivariant ("master") playlist rather than a media playlist. */
export function isHlsMaster(text: string): boolean {
  return text.trimStart().startsWith('#EXTM3U') && /^#EXT-X-STREAM-INF:/m.test(text);
}
