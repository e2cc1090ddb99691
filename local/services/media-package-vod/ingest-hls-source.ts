import { open, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { FfmpegFailed, runFfmpeg } from '../../ffmpeg/run-ffmpeg';
import type { ObjectStore } from '../../seam/object-store';
import { inspectAudioMp4, inspectSourceMp4, SourceRejected } from './inspect-source-mp4';
import type { AssetSource, IngestedAudio, IngestedSource, IngestedVideo } from './ingest-source';

/** Larger than any VOD playlist of a feature film at 2 s segments; bounds what ingest reads (a local limit). */
const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;

const FRAGMENTED_SEGMENT = /\.(mp4|m4s|m4v|m4a|cmf[vat])$/i;
const TS_SYNC_BYTE = 0x47;

type Attributes = Record<string, string>;

function attributesOf(list: string): Attributes {
  const attributes: Attributes = {};
  for (const match of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    const [, name, value] = match;
    if (name && value !== undefined) attributes[name] = value.replace(/^"|"$/g, '');
  }
  return attributes;
}

interface HlsRendition {
  key: string;
  uri: string;
}

async function readPlaylist(store: ObjectStore, bucket: string, key: string): Promise<string> {
  const head = await store.head(bucket, key);
  if (!head) throw new SourceRejected(`playlist ${key} does not exist`);
  if (head.size > MAX_PLAYLIST_BYTES)
    throw new SourceRejected(`playlist ${key} is larger than ${String(MAX_PLAYLIST_BYTES)} bytes`);
  const text = await readFile(store.filePath(bucket, key), 'utf8');
  if (!text.trimStart().startsWith('#EXTM3U')) throw new SourceRejected(`${key} is not an HLS playlist`);
  return text;
}

/** A URI of a playlist, resolved against it; it must stay in the bucket (no scheme, no root, no escape). */
function resolveUri(playlistKey: string, uri: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')) {
    throw new SourceRejected(`${playlistKey} references "${uri}", which is not relative to the playlist`);
  }
  const key = posix.normalize(posix.join(posix.dirname(playlistKey), uri.split(/[?#]/)[0] ?? uri));
  if (key === '..' || key.startsWith('../'))
    throw new SourceRejected(`${playlistKey} references "${uri}", outside the bucket`);
  return key;
}

async function startsWithTsSync(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const bytes = Buffer.alloc(189);
    const { bytesRead } = await handle.read(bytes, 0, 189, 0);
    return bytesRead >= 189 && bytes[0] === TS_SYNC_BYTE && bytes[188] === TS_SYNC_BYTE;
  } finally {
    await handle.close();
  }
}

/**
 * One media playlist of the source: complete (VOD), every segment present, and TS. A CMAF group (EXT-X-MAP, fMP4
 * segments) is not a VOD input (supported-inputs-vod.html: HLS video TS; audio TS, AAC, AC3, EC3).
 */
async function checkMediaPlaylist(store: ObjectStore, bucket: string, key: string, audioOnly: boolean): Promise<void> {
  const text = await readPlaylist(store, bucket, key);
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const segments = lines.filter((line) => line !== '' && !line.startsWith('#'));
  if (
    lines.some((line) => line.startsWith('#EXT-X-MAP:')) ||
    segments.some((uri) => FRAGMENTED_SEGMENT.test(uri.split('?')[0] ?? uri))
  ) {
    throw new SourceRejected(
      'CMAF (fragmented MP4) HLS is not a supported VOD input: HLS sources must have TS segments, or use a .smil of MP4s',
    );
  }
  if (lines.some((line) => line.startsWith('#EXT-X-STREAM-INF:')))
    throw new SourceRejected(`${key} is not a media playlist`);
  if (!lines.includes('#EXT-X-ENDLIST') && !lines.includes('#EXT-X-PLAYLIST-TYPE:VOD')) {
    throw new SourceRejected(`${key} is not complete (no #EXT-X-ENDLIST): not a VOD playlist`);
  }
  if (segments.length === 0) throw new SourceRejected(`${key} lists no segments`);
  for (const uri of segments) {
    const segmentKey = resolveUri(key, uri);
    if (!(await store.head(bucket, segmentKey))) throw new SourceRejected(`${key} names ${uri}, which does not exist`);
  }
  const first = resolveUri(key, segments[0] ?? '');
  const isTs = await startsWithTsSync(store.filePath(bucket, first));
  const isAac = audioOnly && /\.aac$/i.test(first);
  if (!isTs && !isAac) throw new SourceRejected(`${key}: segment ${segments[0] ?? ''} is not MPEG-TS`);
}

/** Copies one rendition's segments into a progressive MP4 (`-c copy`), the form the packager reads. */
async function remux(ffmpeg: string, playlistFile: string, output: string, name: string): Promise<void> {
  try {
    await runFfmpeg(ffmpeg, [
      '-loglevel',
      'error',
      '-y',
      '-allowed_extensions',
      'ALL',
      '-i',
      playlistFile,
      '-c',
      'copy',
      '-bsf:a',
      'aac_adtstoasc',
      '-movflags',
      '+faststart',
      output,
    ]).done;
  } catch (error) {
    if (error instanceof FfmpegFailed) throw new SourceRejected(`${name} cannot be read: ${error.stderrTail}`);
    throw error;
  }
}

/**
 * Ingests a TS-HLS source: the multivariant playlist's variants (their order is ORIGINAL) and the audio renditions
 * of the first variant's AUDIO group, each copied once into a progressive MP4 in `workFolder`, then described like
 * a SMIL's MP4s. Muxed audio of the first variant stands in when there is no audio group.
 */
export async function ingestHlsSource(
  store: ObjectStore,
  binaries: { ffmpeg: string; ffprobe: string },
  source: AssetSource,
  workFolder: string,
): Promise<IngestedSource> {
  const master = await readPlaylist(store, source.bucket, source.key);
  const lines = master.split(/\r?\n/).map((line) => line.trim());
  const variants: (HlsRendition & { audioGroup?: string })[] = [];
  const audioMedia: (HlsRendition & { group: string; language?: string; name?: string })[] = [];
  lines.forEach((line, index) => {
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const uri = lines[index + 1];
      if (!uri || uri.startsWith('#')) throw new SourceRejected('#EXT-X-STREAM-INF without a URI');
      const attributes = attributesOf(line.slice('#EXT-X-STREAM-INF:'.length));
      variants.push({ key: resolveUri(source.key, uri), uri, audioGroup: attributes.AUDIO });
    } else if (line.startsWith('#EXT-X-MEDIA:')) {
      const attributes = attributesOf(line.slice('#EXT-X-MEDIA:'.length));
      if (attributes.TYPE === 'AUDIO' && attributes.URI && attributes['GROUP-ID']) {
        audioMedia.push({
          key: resolveUri(source.key, attributes.URI),
          uri: attributes.URI,
          group: attributes['GROUP-ID'],
          language: attributes.LANGUAGE,
          name: attributes.NAME,
        });
      }
    }
  });
  if (variants.length === 0) throw new SourceRejected(`${source.key} is not a multivariant (master) playlist`);
  const group = audioMedia.filter((media) => media.group === variants[0]?.audioGroup);
  for (const rendition of variants) await checkMediaPlaylist(store, source.bucket, rendition.key, false);
  for (const rendition of group) await checkMediaPlaylist(store, source.bucket, rendition.key, true);

  const videos: IngestedVideo[] = [];
  for (const [position, variant] of variants.entries()) {
    const file = join(workFolder, `variant_${String(position + 1)}.mp4`);
    await remux(binaries.ffmpeg, store.filePath(source.bucket, variant.key), file, variant.uri);
    videos.push({
      file,
      reference: variant.uri,
      position,
      mp4: await inspectSourceMp4(binaries.ffprobe, file, variant.uri),
    });
  }
  const audios: IngestedAudio[] = [];
  for (const [index, media] of group.entries()) {
    const file = join(workFolder, `audio_${String(index + 1)}.mp4`);
    await remux(binaries.ffmpeg, store.filePath(source.bucket, media.key), file, media.uri);
    const [track] = await inspectAudioMp4(binaries.ffprobe, file, media.uri);
    if (!track) continue;
    const language = media.language ?? track.language;
    audios.push({ file, trackIndex: 0, source: track, language, name: media.name ?? language });
  }
  const first = videos[0];
  if (group.length === 0 && first) {
    for (const [trackIndex, track] of first.mp4.audio.entries()) {
      audios.push({
        file: first.file,
        trackIndex,
        source: track,
        language: track.language,
        name: `Audio ${String(trackIndex + 1)}`,
      });
    }
  }
  return { videos, audios };
}
