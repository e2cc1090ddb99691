import type { HlsManifest } from '@aws-sdk/client-mediapackage-vod';
import {
  averageBitsPerSecond,
  frameRateNumber,
  peakBitsPerSecond,
  selectVideos,
  type PackagedAudio,
  type PackagedVideo,
} from './packaged-streams';
import type { PackagedTrack } from './segment-track';

const AUDIO_GROUP = 'audio';

/** EXT-X-MAP in a media playlist needs version 6 (RFC 8216 7); TS with decimal EXTINF needs 3. */
function versionOf(track: PackagedTrack): number {
  return track.container === 'fmp4' ? 6 : 3;
}

export function playlistNameOf(track: PackagedTrack): string {
  return `${track.key}.m3u8`;
}

/** A VOD media playlist over the track's real segment durations. */
export function hlsMediaPlaylist(track: PackagedTrack): string {
  // RFC 8216 4.3.3.1: each EXTINF rounded to the nearest integer is at most the target duration.
  const target = Math.max(1, ...track.segments.map((segment) => Math.round(segment.seconds)));
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${String(versionOf(track))}`,
    `#EXT-X-TARGETDURATION:${String(target)}`,
    '#EXT-X-MEDIA-SEQUENCE:1',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    ...(track.init ? [`#EXT-X-MAP:URI="${track.init}"`] : []),
    ...track.segments.flatMap((segment) => [`#EXTINF:${segment.seconds.toFixed(5)},`, segment.file]),
    '#EXT-X-ENDLIST',
    '',
  ];
  return lines.join('\n');
}

function quoted(value: string): string {
  return `"${value.replace(/["\r\n]/g, '')}"`;
}

function audioMedia(audio: PackagedAudio, index: number): string {
  const attributes = [
    'TYPE=AUDIO',
    `GROUP-ID=${quoted(AUDIO_GROUP)}`,
    `NAME=${quoted(audio.name)}`,
    ...(audio.language === 'und' ? [] : [`LANGUAGE=${quoted(audio.language)}`]),
    'AUTOSELECT=YES',
    `DEFAULT=${index === 0 ? 'YES' : 'NO'}`,
    `CHANNELS=${quoted(String(audio.source.channels))}`,
    `URI=${quoted(playlistNameOf(audio.track))}`,
  ];
  return `#EXT-X-MEDIA:${attributes.join(',')}`;
}

/**
 * The multivariant playlist of one HlsManifest: variants in the manifest's StreamSelection order, BANDWIDTH the
 * peak segment rate of the variant plus its loudest audio rendition (RFC 8216 4.3.4.2), RESOLUTION, FRAME-RATE and
 * CODECS from the media.
 */
export function hlsMasterPlaylist(manifest: HlsManifest, videos: PackagedVideo[], audioGroup: PackagedAudio[]): string {
  const selected = selectVideos(videos, manifest.StreamSelection);
  const version = Math.max(3, ...videos.map((video) => versionOf(video.track)));
  const audioPeak = Math.max(0, ...audioGroup.map((audio) => peakBitsPerSecond(audio.track)));
  const audioAverage = Math.max(0, ...audioGroup.map((audio) => averageBitsPerSecond(audio.track)));
  const groupCodecs = [...new Set(audioGroup.map((audio) => audio.source.codecs))];
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${String(version)}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  lines.push(...audioGroup.map(audioMedia));
  for (const video of selected) {
    const codecs = [video.source.codecs, ...(video.muxedAudioCodecs ? [video.muxedAudioCodecs] : groupCodecs)];
    const attributes = [
      `BANDWIDTH=${String(peakBitsPerSecond(video.track) + audioPeak)}`,
      `AVERAGE-BANDWIDTH=${String(averageBitsPerSecond(video.track) + audioAverage)}`,
      `RESOLUTION=${String(video.source.width)}x${String(video.source.height)}`,
      `FRAME-RATE=${frameRateNumber(video.source.frameRate).toFixed(3)}`,
      `CODECS=${quoted(codecs.join(','))}`,
      ...(audioGroup.length > 0 ? [`AUDIO=${quoted(AUDIO_GROUP)}`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, playlistNameOf(video.track));
  }
  lines.push('');
  return lines.join('\n');
}
