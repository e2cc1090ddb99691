import type { AudioPlan, VideoRungPlan } from './read-job-plan';
import type { EncodedTrack } from './read-ffmpeg-manifest';

/** One encoded CMAF output: its timeline, file names and segment sizes. */
export interface EncodedOutput {
  track: EncodedTrack;
  playlist: string;
  init: string;
  segments: string[];
  /** Bytes of each media segment, in order. */
  segmentBytes: number[];
}

export interface EncodedRung extends EncodedOutput {
  plan: VideoRungPlan;
}

export interface EncodedAudio extends EncodedOutput {
  plan: AudioPlan;
}

export interface EncodedThumbnails {
  /** One image per tile file. */
  images: string[];
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  /** Start and duration (seconds) of each thumbnail, one per video segment. */
  spans: { start: number; duration: number }[];
  playlist: string;
  webVtt: string;
}

export interface CmafLadder {
  rungs: EncodedRung[];
  audio?: EncodedAudio;
  thumbnails?: EncodedThumbnails;
  segmentSeconds: number;
  minBufferMs: number;
  bandwidthType: 'MAX' | 'AVERAGE';
}

const fixed = (value: number, digits: number): string => value.toFixed(digits);

export function segmentSeconds(track: EncodedTrack): number[] {
  return track.durations.map((duration) => duration / track.timescale);
}

export function totalSeconds(track: EncodedTrack): number {
  return segmentSeconds(track).reduce((sum, value) => sum + value, 0);
}

/** Average and peak bit rate over the media segments (the peak is the HLS BANDWIDTH definition). */
export function bitrates(output: EncodedOutput): { average: number; peak: number } {
  const seconds = segmentSeconds(output.track);
  const bytes = output.segmentBytes.reduce((sum, value) => sum + value, 0);
  const total = seconds.reduce((sum, value) => sum + value, 0);
  const peak = Math.max(0, ...output.segmentBytes.map((size, index) => (size * 8) / (seconds[index] ?? total)));
  return { average: total > 0 ? Math.round((bytes * 8) / total) : 0, peak: Math.round(peak) };
}

/** Segment durations rounded to whole seconds may not exceed this (RFC 8216 4.3.3.1). */
function targetDuration(seconds: number[]): number {
  return Math.max(1, ...seconds.map((value) => Math.round(value)));
}

/** A VOD media playlist over one CMAF output's fMP4 segments. */
export function mediaPlaylist(output: EncodedOutput): string {
  const seconds = segmentSeconds(output.track);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    `#EXT-X-TARGETDURATION:${targetDuration(seconds)}`,
    '#EXT-X-MEDIA-SEQUENCE:1',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${output.init}"`,
  ];
  output.segments.forEach((segment, index) => {
    lines.push(`#EXTINF:${fixed(seconds[index] ?? 0, 5)},`, segment);
  });
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

function frameRateValue(rate: string | undefined): number | undefined {
  const [numerator, denominator = 1] = (rate ?? '').split('/').map(Number);
  return numerator && denominator ? numerator / denominator : undefined;
}

/** The HLS multivariant playlist: one variant per rung (audio from its group), the audio rendition, trick play. */
export function masterPlaylist(ladder: CmafLadder): string {
  const { audio, thumbnails } = ladder;
  const audioRates = audio ? bitrates(audio) : { average: 0, peak: 0 };
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${audio.plan.groupId}",NAME="${audio.plan.groupId}",DEFAULT=YES,` +
        `AUTOSELECT=YES,CHANNELS="${audio.plan.channels}",URI="${audio.playlist}"`,
    );
  }
  for (const rung of ladder.rungs) {
    const rates = bitrates(rung);
    const playsAudio = audio !== undefined && (rung.plan.audioGroup ?? audio.plan.groupId) === audio.plan.groupId;
    const codecs = playsAudio ? `${rung.track.codecs},${audio.track.codecs}` : rung.track.codecs;
    const frameRate = frameRateValue(rung.track.frameRate);
    const attributes = [
      `BANDWIDTH=${rates.peak + (playsAudio ? audioRates.peak : 0)}`,
      `AVERAGE-BANDWIDTH=${rates.average + (playsAudio ? audioRates.average : 0)}`,
      `RESOLUTION=${rung.track.width ?? rung.plan.width}x${rung.track.height ?? rung.plan.height}`,
      `CODECS="${codecs}"`,
      ...(frameRate ? [`FRAME-RATE=${fixed(frameRate, 3)}`] : []),
      ...(playsAudio ? [`AUDIO="${audio.plan.groupId}"`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, rung.playlist);
  }
  if (thumbnails) {
    const bandwidth = Math.round((thumbnails.width * thumbnails.height * 8) / Math.max(1, ladder.segmentSeconds) / 10);
    lines.push(
      `#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=${bandwidth},RESOLUTION=${thumbnails.width * thumbnails.tileWidth}x` +
        `${thumbnails.height * thumbnails.tileHeight},CODECS="jpeg",URI="${thumbnails.playlist}"`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

function tileSpans(thumbnails: EncodedThumbnails): { start: number; duration: number }[] {
  const perTile = thumbnails.tileWidth * thumbnails.tileHeight;
  return thumbnails.images.map((_, index) => {
    const spans = thumbnails.spans.slice(index * perTile, (index + 1) * perTile);
    const start = spans[0]?.start ?? 0;
    return { start, duration: spans.reduce((sum, span) => sum + span.duration, 0) };
  });
}

/** An HLS image media playlist (Apple's trick-play extension): one tile image per entry. */
export function imagePlaylist(thumbnails: EncodedThumbnails): string {
  const tiles = tileSpans(thumbnails);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDuration(tiles.map((tile) => tile.duration))}`,
    '#EXT-X-MEDIA-SEQUENCE:1',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-IMAGES-ONLY',
  ];
  tiles.forEach((tile, index) => {
    const perThumbnail = tile.duration / (thumbnails.tileWidth * thumbnails.tileHeight);
    lines.push(
      `#EXTINF:${fixed(tile.duration, 3)},`,
      `#EXT-X-TILES:RESOLUTION=${thumbnails.width}x${thumbnails.height},LAYOUT=${thumbnails.tileWidth}x` +
        `${thumbnails.tileHeight},DURATION=${fixed(perThumbnail, 3)}`,
      thumbnails.images[index] ?? '',
    );
  });
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

function vttTime(seconds: number): string {
  const millis = Math.round(seconds * 1000);
  const hours = Math.floor(millis / 3_600_000);
  const minutes = Math.floor((millis % 3_600_000) / 60_000);
  const rest = (millis % 60_000) / 1000;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${rest.toFixed(3).padStart(6, '0')}`;
}

/** WebVTT thumbnails (`image.jpg#xywh=`), the form web players' thumbnail plugins read. */
export function thumbnailsWebVtt(thumbnails: EncodedThumbnails): string {
  const perTile = thumbnails.tileWidth * thumbnails.tileHeight;
  const cues = thumbnails.spans.flatMap((span, index) => {
    const image = thumbnails.images[Math.floor(index / perTile)];
    if (!image) return [];
    const cell = index % perTile;
    const x = (cell % thumbnails.tileWidth) * thumbnails.width;
    const y = Math.floor(cell / thumbnails.tileWidth) * thumbnails.height;
    return [
      `${vttTime(span.start)} --> ${vttTime(span.start + span.duration)}\n` +
        `${image}#xywh=${x},${y},${thumbnails.width},${thumbnails.height}\n`,
    ];
  });
  return ['WEBVTT', '', ...cues].join('\n');
}

function isoDuration(seconds: number): string {
  return `PT${fixed(seconds, 3)}S`;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** SegmentTimeline with runs of equal durations folded into `r`. */
function segmentTimeline(track: EncodedTrack, indent: string): string[] {
  const entries: { d: number; r: number }[] = [];
  for (const duration of track.durations) {
    const last = entries[entries.length - 1];
    if (last?.d === duration) last.r += 1;
    else entries.push({ d: duration, r: 0 });
  }
  return entries.map(
    (entry, index) =>
      `${indent}<S ${index === 0 ? `t="${track.start}" ` : ''}d="${entry.d}"${entry.r > 0 ? ` r="${entry.r}"` : ''}/>`,
  );
}

function segmentTemplate(output: EncodedOutput, indent: string): string[] {
  // The media segments are numbered from 1; the template repeats the name pattern with $Number%05d$.
  const media = output.segments[0]?.replace(/\d{5}(\.\w+)$/, '$$Number%05d$$$1') ?? '';
  return [
    `${indent}<SegmentTemplate timescale="${output.track.timescale}" initialization="${escapeXml(output.init)}" ` +
      `media="${escapeXml(media)}" startNumber="1">`,
    `${indent}  <SegmentTimeline>`,
    ...segmentTimeline(output.track, `${indent}    `),
    `${indent}  </SegmentTimeline>`,
    `${indent}</SegmentTemplate>`,
  ];
}

/** A static DASH MPD over the same fMP4 files as the HLS playlists, plus the trick-play images. */
export function dashManifest(ladder: CmafLadder): string {
  const [top] = ladder.rungs;
  const duration = top ? totalSeconds(top.track) : 0;
  const bandwidth = (output: EncodedOutput, cap: number): number =>
    ladder.bandwidthType === 'MAX' ? cap : bitrates(output).average;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-main:2011" type="static" ' +
      `mediaPresentationDuration="${isoDuration(duration)}" minBufferTime="${isoDuration(ladder.minBufferMs / 1000)}">`,
    '  <Period id="1" start="PT0S">',
    `    <AdaptationSet id="1" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">`,
  ];
  for (const rung of ladder.rungs) {
    lines.push(
      `      <Representation id="${escapeXml(rung.plan.nameModifier.replace(/^_/, '') || 'video')}" ` +
        `codecs="${rung.track.codecs}" bandwidth="${bandwidth(rung, rung.plan.rate.maxBitrate)}" ` +
        `width="${rung.track.width ?? rung.plan.width}" height="${rung.track.height ?? rung.plan.height}" ` +
        `frameRate="${rung.track.frameRate ?? ''}" sar="1:1">`,
      ...segmentTemplate(rung, '        '),
      '      </Representation>',
    );
  }
  lines.push('    </AdaptationSet>');
  const { audio, thumbnails } = ladder;
  if (audio) {
    lines.push(
      '    <AdaptationSet id="2" contentType="audio" mimeType="audio/mp4" segmentAlignment="true" startWithSAP="1">',
      `      <Representation id="${escapeXml(audio.plan.nameModifier.replace(/^_/, '') || 'audio')}" ` +
        `codecs="${audio.track.codecs}" bandwidth="${bandwidth(audio, audio.plan.bitrate)}" ` +
        `audioSamplingRate="${audio.track.sampleRate ?? audio.plan.sampleRate}">`,
      '        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" ' +
        `value="${audio.plan.channels}"/>`,
      ...segmentTemplate(audio, '        '),
      '      </Representation>',
      '    </AdaptationSet>',
    );
  }
  if (thumbnails) {
    const [first] = thumbnails.images;
    const media = first?.replace(/\d{5}(\.\w+)$/, '$$Number%05d$$$1') ?? '';
    const perTile = thumbnails.tileWidth * thumbnails.tileHeight;
    const tileSeconds = ladder.segmentSeconds * perTile;
    lines.push(
      '    <AdaptationSet id="3" contentType="image" mimeType="image/jpeg">',
      `      <SegmentTemplate media="${escapeXml(media)}" duration="${tileSeconds}" timescale="1" startNumber="1"/>`,
      `      <Representation id="thumbnails" bandwidth="${Math.round((thumbnails.width * thumbnails.height * 8) / tileSeconds / 10)}" ` +
        `width="${thumbnails.width * thumbnails.tileWidth}" height="${thumbnails.height * thumbnails.tileHeight}">`,
      `        <EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="${thumbnails.tileWidth}x${thumbnails.tileHeight}"/>`,
      '      </Representation>',
      '    </AdaptationSet>',
    );
  }
  lines.push('  </Period>', '</MPD>', '');
  return lines.join('\n');
}
