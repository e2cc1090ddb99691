import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ObjectStore } from '../../seam/object-store';
import { dashReferences, hlsReferences, isHlsMaster, ReferenceOutsideAsset } from './manifest-references';
import { isHlsPlaylist } from './media-types';

/** The CMAF copy an asset packages: the HLS master MediaConvert wrote, and the folder it sits in. */
export interface CmafSource {
  bucket: string;
  /** Key of the HLS master (`assets/<id>/<publish>/cmaf/index.m3u8`). */
  masterKey: string;
}

export function cmafFolderOf(source: CmafSource): string {
  return `${posix.dirname(source.masterKey)}/`;
}

export function masterNameOf(source: CmafSource): string {
  return posix.basename(source.masterKey);
}

/** The DASH manifest MediaConvert writes next to the HLS master, from the same segments. */
export function dashNameOf(source: CmafSource): string {
  return `${posix.basename(source.masterKey, posix.extname(source.masterKey))}.mpd`;
}

export function keyOf(source: CmafSource, relativePath: string): string {
  return `${cmafFolderOf(source)}${relativePath}`;
}

/** Reads a text object of the CMAF folder; undefined when it does not exist. */
export async function readSourceText(
  store: ObjectStore,
  source: CmafSource,
  relativePath: string,
): Promise<string | undefined> {
  const key = keyOf(source, relativePath);
  if (!(await store.head(source.bucket, key))) return undefined;
  return readFile(store.filePath(source.bucket, key), 'utf8');
}

function decoded(relativePath: string): string {
  try {
    return decodeURI(relativePath);
  } catch {
    return relativePath;
  }
}

async function missingFiles(store: ObjectStore, source: CmafSource, paths: string[]): Promise<string[]> {
  const unique = [...new Set(paths.map(decoded))];
  const found = await Promise.all(unique.map((path) => store.head(source.bucket, keyOf(source, path))));
  return unique.filter((_path, index) => found[index] === undefined);
}

function describeMissing(missing: string[]): string {
  const shown = missing.slice(0, 3).join(', ');
  return missing.length > 3 ? `${shown} and ${String(missing.length - 3)} more` : shown;
}

/**
 * Ingests the HLS side: the master, every playlist it names and every segment those name must exist inside the
 * CMAF folder. Returns why packaging failed, or undefined when the configuration is playable.
 */
export async function ingestHls(store: ObjectStore, source: CmafSource): Promise<string | undefined> {
  const masterName = masterNameOf(source);
  try {
    const master = await readSourceText(store, source, masterName);
    if (master === undefined || !isHlsMaster(master)) return `${masterName} is not an HLS master playlist`;
    const playlists = hlsReferences(masterName, master);
    const missingPlaylists = await missingFiles(store, source, playlists);
    if (missingPlaylists.length > 0) return `missing playlists: ${describeMissing(missingPlaylists)}`;
    const segments: string[] = [];
    for (const playlist of playlists.filter(isHlsPlaylist)) {
      const text = (await readSourceText(store, source, decoded(playlist))) ?? '';
      segments.push(...hlsReferences(playlist, text));
    }
    const missingSegments = await missingFiles(store, source, segments);
    if (missingSegments.length > 0) return `missing segments: ${describeMissing(missingSegments)}`;
    return undefined;
  } catch (error) {
    if (error instanceof ReferenceOutsideAsset) return error.message;
    throw error;
  }
}

/** Ingests the DASH side: the MPD next to the master and every non-templated file it names. */
export async function ingestDash(store: ObjectStore, source: CmafSource): Promise<string | undefined> {
  const mpdName = dashNameOf(source);
  try {
    const mpd = await readSourceText(store, source, mpdName);
    if (mpd === undefined || !/<MPD[\s>]/.test(mpd)) return `${mpdName} is missing or not a DASH manifest`;
    // $Number$/$Time$ templates name many files; the folder check of resolveReference still applies to them.
    const files = dashReferences(mpdName, mpd).filter((path) => !path.includes('$') && !path.endsWith('/'));
    const missing = await missingFiles(store, source, files);
    if (missing.length > 0) return `missing segments: ${describeMissing(missing)}`;
    return undefined;
  } catch (error) {
    if (error instanceof ReferenceOutsideAsset) return error.message;
    throw error;
  }
}
