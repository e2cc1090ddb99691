import type { StreamOrder, StreamSelection } from '@aws-sdk/client-mediapackage-vod';
import type { SourceAudioTrack, SourceVideoTrack } from './inspect-source-mp4';
import type { PackagedTrack } from './segment-track';

/** A video rendition after packaging: its source description and its segments (audio muxed in for TS without groups). */
export interface PackagedVideo {
  track: PackagedTrack;
  source: SourceVideoTrack;
  /** Position in the SMIL `<switch>`: the ORIGINAL stream order. */
  position: number;
  /** Video-only average bit rate, for StreamSelection (the muxed audio is not counted). */
  videoBitsPerSecond: number;
  /** Codec of audio muxed into the video segments, if any. */
  muxedAudioCodecs?: string;
}

export interface PackagedAudio {
  track: PackagedTrack;
  source: SourceAudioTrack;
  /** ISO-639-2 (`eng`), from the SMIL's systemLanguage or else the track. */
  language: string;
  name: string;
}

/** The largest bit rate of any one segment (HLS BANDWIDTH, RFC 8216 4.3.4.2). */
export function peakBitsPerSecond(track: PackagedTrack): number {
  const rates = track.segments.filter((segment) => segment.seconds > 0).map((s) => (s.bytes * 8) / s.seconds);
  return Math.ceil(Math.max(0, ...rates));
}

/** Bytes over time of the whole track (HLS AVERAGE-BANDWIDTH). */
export function averageBitsPerSecond(track: PackagedTrack): number {
  const seconds = track.segments.reduce((sum, segment) => sum + segment.seconds, 0);
  const bytes = track.segments.reduce((sum, segment) => sum + segment.bytes, 0);
  return seconds > 0 ? Math.ceil((bytes * 8) / seconds) : 0;
}

/**
 * DASH @bandwidth (ISO/IEC 23009-1 5.3.5.2): the smallest constant rate at which a client that starts at any
 * segment and buffers minBufferTime first never stalls. Exact over the real segments; quadratic in their count,
 * which an hour at 2 s (1,800 segments) keeps small.
 */
export function dashBandwidth(track: PackagedTrack, minBufferSeconds: number): number {
  const { segments } = track;
  let needed = 0;
  for (let first = 0; first < segments.length; first += 1) {
    let bits = 0;
    let played = 0;
    for (let last = first; last < segments.length; last += 1) {
      const segment = segments[last];
      if (!segment) break;
      bits += segment.bytes * 8;
      const window = minBufferSeconds + played;
      if (window > 0) needed = Math.max(needed, bits / window);
      played += segment.seconds;
    }
  }
  return Math.ceil(needed);
}

/** StreamSelection: min/max compare the video bit rate only (cfigs-hls-include-streams.html), then the order. */
export function selectVideos(videos: PackagedVideo[], selection: StreamSelection | undefined): PackagedVideo[] {
  const min = selection?.MinVideoBitsPerSecond ?? 0;
  const max = selection?.MaxVideoBitsPerSecond ?? Number.POSITIVE_INFINITY;
  const kept = videos.filter((video) => video.videoBitsPerSecond >= min && video.videoBitsPerSecond <= max);
  return orderVideos(kept, selection?.StreamOrder ?? 'ORIGINAL');
}

function orderVideos(videos: PackagedVideo[], order: StreamOrder): PackagedVideo[] {
  const sorted = [...videos];
  if (order === 'VIDEO_BITRATE_ASCENDING') sorted.sort((a, b) => a.videoBitsPerSecond - b.videoBitsPerSecond);
  else if (order === 'VIDEO_BITRATE_DESCENDING') sorted.sort((a, b) => b.videoBitsPerSecond - a.videoBitsPerSecond);
  else sorted.sort((a, b) => a.position - b.position);
  return sorted;
}

/** `30000/1001` -> 29.970; HLS FRAME-RATE has three decimals. */
export function frameRateNumber(frameRate: string): number {
  const [numerator = 0, denominator = 1] = frameRate.split('/').map(Number);
  return denominator > 0 ? numerator / denominator : 0;
}
