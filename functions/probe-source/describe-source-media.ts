import type { ProbeResult, Track } from '@aws-sdk/client-mediaconvert';
import { SourceRejected } from '../commons/errors';
import type { SourceMedia } from '../commons/types';

/** MediaConvert cannot encode a picture side shorter than this. */
const MIN_PICTURE_SIDE = 32;

export interface SourceLimits {
  maxDurationSeconds: number;
  maxBytes: number;
}

/** Rejects before any media call what the object's size alone rules out. */
export function checkSourceSize(size: number, limits: SourceLimits): void {
  if (size <= 0) {
    throw new SourceRejected('empty', 'the uploaded file is empty (0 bytes)');
  }
  if (size > limits.maxBytes) {
    throw new SourceRejected('too-large', `the uploaded file is ${size} bytes, above the limit of ${limits.maxBytes}`);
  }
}

function isPositive(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function frameRateOf(track: Track): number {
  const rate = track.VideoProperties?.FrameRate;
  if (rate && isPositive(rate.Numerator) && isPositive(rate.Denominator)) {
    return Math.round((rate.Numerator / rate.Denominator) * 1000) / 1000;
  }
  return 0;
}

/**
 * Turns a MediaConvert probe result into what the workflow needs, or explains why the source can never be
 * published. Width and height are the displayed ones: a 90/270 degree rotation swaps them, so a phone video
 * shot upright is portrait here and keeps a portrait ladder.
 */
export function describeSourceMedia(result: ProbeResult | undefined, limits: SourceLimits): SourceMedia {
  const container = result?.Container;
  const tracks = container?.Tracks ?? [];
  if (!container?.Format || tracks.length === 0) {
    throw new SourceRejected('not-media', 'the uploaded file is not a media file MediaConvert can read');
  }
  const video = tracks.find((track) => track.TrackType === 'video');
  if (!video) {
    throw new SourceRejected('no-video', `the uploaded ${container.Format} file has no video stream`);
  }
  const width = video.VideoProperties?.Width;
  const height = video.VideoProperties?.Height;
  if (!isPositive(width) || !isPositive(height)) {
    throw new SourceRejected('no-video', 'the video stream has no picture size');
  }
  if (width < MIN_PICTURE_SIDE || height < MIN_PICTURE_SIDE) {
    throw new SourceRejected(
      'too-small',
      `the video is ${width}x${height}: both sides must be at least ${MIN_PICTURE_SIDE} pixels`,
    );
  }
  const durationSeconds = container.Duration ?? video.Duration;
  if (!isPositive(durationSeconds)) {
    throw new SourceRejected('no-duration', 'the video has no duration (a still image or an empty stream)');
  }
  if (durationSeconds > limits.maxDurationSeconds) {
    throw new SourceRejected(
      'too-long',
      `the video lasts ${Math.round(durationSeconds)} s, above the limit of ${limits.maxDurationSeconds} s`,
    );
  }
  const rotation = Math.abs(video.VideoProperties?.Rotation ?? 0) % 180;
  const audio = tracks.find((track) => track.TrackType === 'audio');
  return {
    durationSeconds: Math.round(durationSeconds * 1000) / 1000,
    width: rotation === 90 ? height : width,
    height: rotation === 90 ? width : height,
    frameRate: frameRateOf(video),
    videoCodec: video.Codec ?? 'UNKNOWN',
    hasAudio: audio !== undefined,
    audioCodec: audio?.Codec ?? '',
    ...audioLanguageOf(audio?.AudioProperties?.LanguageCode),
    container: container.Format,
  };
}

/** The probe's language code as ISO 639-2 lower case (`ENG` -> `eng`), for the MediaPackage .smil's systemLanguage. */
function audioLanguageOf(code: string | undefined): { audioLanguage?: string } {
  const language = code?.trim().toLowerCase();
  return language && /^[a-z]{3}$/.test(language) ? { audioLanguage: language } : {};
}
