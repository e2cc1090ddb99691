import { frameCaptureName, frameCaptureUri } from '../commons/output-layout';
import type { TrickplayCaptures } from '../commons/types';
import { PackagingMisconfigured } from './packaging-errors';

/**
 * The WebVTT thumbnails track over MediaConvert's trick-play frame captures. MediaConvert writes the JPEGs only,
 * numbered from 0, capture n being the frame at n x the capture interval, and reports the last one
 * (docs.aws.amazon.com/mediaconvert/latest/ug/file-group-with-frame-capture-output.html); each cue spans one interval
 * (the last one ends with the video) and points at its image, relative to the track, with the `#xywh=` of the whole
 * image (the form players read for thumbnail tracks). Pure: captures in, text out.
 */
export interface ThumbnailTrack {
  /** s3:// URI of the track: beside the captures, named after them (`…/index_thumbnails.vtt`). */
  uri: string;
  body: string;
}

function timestamp(seconds: number): string {
  const millis = Math.round(seconds * 1000);
  const hours = Math.floor(millis / 3_600_000);
  const minutes = Math.floor(millis / 60_000) % 60;
  const secs = Math.floor(millis / 1000) % 60;
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}.${pad(millis % 1000, 3)}`;
}

export function thumbnailTrack(captures: TrickplayCaptures, durationSeconds: number): ThumbnailTrack {
  const last = frameCaptureName(captures.lastCapture);
  if (!last || !(captures.intervalSeconds > 0)) {
    throw new PackagingMisconfigured(`${captures.lastCapture} is not a frame capture with a cadence`);
  }
  const folder = last.base.slice(0, last.base.lastIndexOf('/') + 1);
  const cues = Array.from({ length: last.number + 1 }, (_, number) => {
    const start = number * captures.intervalSeconds;
    const next = start + captures.intervalSeconds;
    const end = number === last.number && durationSeconds > start ? Math.min(next, durationSeconds) : next;
    const image = frameCaptureUri(last.base, number).slice(folder.length);
    return `${timestamp(start)} --> ${timestamp(end)}\n${image}#xywh=0,0,${captures.width},${captures.height}`;
  });
  return { uri: `${last.base}.vtt`, body: `WEBVTT\n\n${cues.join('\n\n')}\n` };
}
