import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dashManifest } from './dash-manifest';
import { hlsMasterPlaylist, hlsMediaPlaylist } from './hls-manifests';
import type { IngestedAudio, IngestedSource } from './ingest-source';
import type { PackagedAudio, PackagedVideo } from './packaged-streams';
import { DEFAULT_MANIFEST_NAME, DEFAULT_SEGMENT_SECONDS, type ResolvedConfiguration } from './packaging-configurations';
import { segmentTrack, type SegmentContainer } from './segment-track';

interface PackagingWork {
  ffmpeg: string;
  source: IngestedSource;
  folder: string;
  segmentSeconds: number;
  container: SegmentContainer;
  nameByTime?: boolean;
}

async function packageAudios(work: PackagingWork): Promise<PackagedAudio[]> {
  const packaged: PackagedAudio[] = [];
  for (const [index, audio] of work.source.audios.entries()) {
    const key = `audio_${String(index + 1)}`;
    const track = await segmentTrack({
      ffmpeg: work.ffmpeg,
      inputs: [audio.file],
      streams: [`0:a:${String(audio.trackIndex)}`],
      container: work.container,
      segmentSeconds: work.segmentSeconds,
      folder: work.folder,
      baseName: key,
      key,
      nameByTime: work.nameByTime,
    });
    packaged.push({ track, source: audio.source, language: audio.language, name: audio.name });
  }
  return packaged;
}

/** Video renditions; `muxedAudio` puts that audio track into every variant's TS segments (no rendition group). */
async function packageVideos(work: PackagingWork, muxedAudio?: IngestedAudio): Promise<PackagedVideo[]> {
  const packaged: PackagedVideo[] = [];
  for (const video of work.source.videos) {
    const key = `video_${String(video.position + 1)}`;
    const track = await segmentTrack({
      ffmpeg: work.ffmpeg,
      inputs: muxedAudio ? [video.file, muxedAudio.file] : [video.file],
      streams: muxedAudio ? ['0:v:0', `1:a:${String(muxedAudio.trackIndex)}`] : ['0:v:0'],
      container: work.container,
      segmentSeconds: work.segmentSeconds,
      folder: work.folder,
      baseName: key,
      key,
      nameByTime: work.nameByTime,
    });
    packaged.push({
      track,
      source: video.mp4.video,
      position: video.position,
      videoBitsPerSecond: video.mp4.video.bitsPerSecond,
      ...(muxedAudio ? { muxedAudioCodecs: muxedAudio.source.codecs } : {}),
    });
  }
  return packaged;
}

async function writeText(folder: string, name: string, text: string): Promise<void> {
  await writeFile(join(folder, name), text, 'utf8');
}

/**
 * Packages an ingested source for one packaging configuration into `folder`, once: segments remuxed by ffmpeg
 * (`-c copy`) at the configuration's segment duration, then the manifests it names. HlsPackage gives TS segments
 * (audio in a rendition group when UseAudioRenditionGroup, else muxed into each variant), CmafPackage gives fMP4
 * HLS, DashPackage gives CMAF segments under an MPD.
 */
export async function packageConfiguration(
  ffmpeg: string,
  source: IngestedSource,
  configuration: ResolvedConfiguration,
  folder: string,
): Promise<void> {
  await mkdir(folder, { recursive: true });
  const segmentSeconds = configuration.package.SegmentDurationSeconds ?? DEFAULT_SEGMENT_SECONDS;
  if (configuration.type === 'DASH') {
    const format = configuration.package.SegmentTemplateFormat ?? 'NUMBER_WITH_TIMELINE';
    const work: PackagingWork = {
      ffmpeg,
      source,
      folder,
      segmentSeconds,
      container: 'fmp4',
      nameByTime: format === 'TIME_WITH_TIMELINE',
    };
    const videos = await packageVideos(work);
    const audios = await packageAudios(work);
    for (const manifest of configuration.package.DashManifests ?? []) {
      const name = `${manifest.ManifestName ?? DEFAULT_MANIFEST_NAME}.mpd`;
      await writeText(folder, name, dashManifest(manifest, format, videos, audios));
    }
    return;
  }
  const useGroup = configuration.type === 'CMAF' || configuration.package.UseAudioRenditionGroup === true;
  const work: PackagingWork = {
    ffmpeg,
    source,
    folder,
    segmentSeconds,
    container: configuration.type === 'CMAF' ? 'fmp4' : 'ts',
  };
  const videos = await packageVideos(work, useGroup ? undefined : source.audios[0]);
  const audios = useGroup ? await packageAudios(work) : [];
  for (const track of [...videos.map((video) => video.track), ...audios.map((audio) => audio.track)]) {
    await writeText(folder, `${track.key}.m3u8`, hlsMediaPlaylist(track));
  }
  for (const manifest of configuration.package.HlsManifests ?? []) {
    const name = `${manifest.ManifestName ?? DEFAULT_MANIFEST_NAME}.m3u8`;
    await writeText(folder, name, hlsMasterPlaylist(manifest, videos, audios));
  }
}
