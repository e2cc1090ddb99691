import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ObjectStore } from '../../seam/object-store';
import { ingestHlsSource } from './ingest-hls-source';
import { inspectSourceMp4, SourceRejected, type SourceAudioTrack, type SourceMp4 } from './inspect-source-mp4';
import { MAX_SMIL_BYTES, parseSmilManifest } from './smil-manifest';

/** Where an asset's source manifest is: `SourceArn` of CreateAsset, split. */
export interface AssetSource {
  bucket: string;
  key: string;
}

export type SourceFormat = 'smil' | 'hls';

/** One MP4 of the SMIL, checked. */
export interface IngestedVideo {
  file: string;
  reference: string;
  position: number;
  mp4: SourceMp4;
}

/** One audio track the SMIL includes: which MP4 holds it and how the manifests name it. */
export interface IngestedAudio {
  file: string;
  /** Index among the MP4's audio tracks (ffmpeg's `a:<n>`). */
  trackIndex: number;
  source: SourceAudioTrack;
  language: string;
  name: string;
}

export interface IngestedSource {
  videos: IngestedVideo[];
  audios: IngestedAudio[];
}

/** asset-create-details.html: "Source content must be in a .smil (MP4) or .m3u8 (HLS/TS) file format". */
export function sourceFormatOf(key: string): SourceFormat | undefined {
  const extension = posix.extname(key).toLowerCase();
  return extension === '.smil' ? 'smil' : extension === '.m3u8' ? 'hls' : undefined;
}

async function readSourceObject(store: ObjectStore, bucket: string, key: string, limit: number): Promise<string> {
  const head = await store.head(bucket, key);
  if (!head) throw new SourceRejected(`s3://${bucket}/${key} does not exist`);
  if (head.size > limit) throw new SourceRejected(`s3://${bucket}/${key} is larger than ${String(limit)} bytes`);
  return readFile(store.filePath(bucket, key), 'utf8');
}

const LANGUAGE_NAMES: Record<string, string> = {
  eng: 'English',
  fra: 'French',
  fre: 'French',
  deu: 'German',
  ger: 'German',
  spa: 'Spanish',
  ita: 'Italian',
  por: 'Portuguese',
  jpn: 'Japanese',
  nld: 'Dutch',
};

async function ingestSmil(store: ObjectStore, ffprobe: string, source: AssetSource): Promise<IngestedSource> {
  const text = await readSourceObject(store, source.bucket, source.key, MAX_SMIL_BYTES);
  const manifest = parseSmilManifest(source.key, text);
  if (manifest.textStreams.length > 0) {
    // supported-inputs-vod-smil.html lets <textstream> name SRT subtitles; this local packager has no subtitle
    // output yet, and says so rather than drop them.
    throw new SourceRejected('SMIL <textstream> subtitles are not packaged by the local MediaPackage VOD');
  }
  const videos: IngestedVideo[] = [];
  const audios: IngestedAudio[] = [];
  for (const [position, entry] of manifest.videos.entries()) {
    if (!(await store.head(source.bucket, entry.key))) {
      throw new SourceRejected(
        `SMIL names ${entry.reference}, which does not exist (s3://${source.bucket}/${entry.key})`,
      );
    }
    const file = store.filePath(source.bucket, entry.key);
    const mp4 = await inspectSourceMp4(ffprobe, file, entry.reference);
    videos.push({ file, reference: entry.reference, position, mp4 });
    for (const [trackIndex, track] of mp4.audio.entries()) {
      // supported-inputs-vod-smil.html: includeAudio, one value per audio track, defaults to true.
      if (!(entry.includeAudio?.[trackIndex] ?? true)) continue;
      const language = entry.languages[trackIndex] ?? track.language;
      audios.push({
        file,
        trackIndex,
        source: track,
        language,
        name: entry.audioNames[trackIndex] ?? LANGUAGE_NAMES[language] ?? `Audio ${String(audios.length + 1)}`,
      });
    }
  }
  return { videos, audios };
}

/**
 * Ingest: reads and checks the whole source once (a SMIL's MP4s in place; a TS-HLS group copied into MP4s in
 * `workFolder`). Throws SourceRejected with the reason ingest fails.
 */
export async function ingestSource(
  store: ObjectStore,
  binaries: { ffmpeg: string; ffprobe: string },
  source: AssetSource,
  format: SourceFormat,
  workFolder: string,
): Promise<IngestedSource> {
  return format === 'smil'
    ? ingestSmil(store, binaries.ffprobe, source)
    : ingestHlsSource(store, binaries, source, workFolder);
}
