import type { DashManifest, SegmentTemplateFormat } from '@aws-sdk/client-mediapackage-vod';
import { dashBandwidth, selectVideos, type PackagedAudio, type PackagedVideo } from './packaged-streams';
import type { PackagedTrack } from './segment-track';

const PROFILES = {
  NONE: 'urn:mpeg:dash:profile:isoff-live:2011',
  HBBTV_1_5: 'urn:mpeg:dash:profile:isoff-live:2011,urn:hbbtv:dash:profile:isoff-live:2012',
} as const;

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (char) => `&#${String(char.charCodeAt(0))};`);
}

function isoDuration(seconds: number): string {
  return `PT${seconds.toFixed(3)}S`;
}

/** `<S t d r>` runs over the real fragments; `t` written first and wherever the timeline jumps. */
function segmentTimeline(track: PackagedTrack): string {
  const runs: { t?: number; d: number; r: number }[] = [];
  let expected: number | undefined;
  for (const segment of track.segments) {
    const t = segment.decodeTime ?? 0;
    const d = segment.duration ?? 0;
    const last = runs[runs.length - 1];
    if (last && expected === t && last.d === d) last.r += 1;
    else runs.push({ ...(expected === t ? {} : { t }), d, r: 0 });
    expected = t + d;
  }
  const items = runs.map(
    (run) =>
      `<S${run.t === undefined ? '' : ` t="${String(run.t)}"`} d="${String(run.d)}"${run.r > 0 ? ` r="${String(run.r)}"` : ''}/>`,
  );
  return `<SegmentTimeline>${items.join('')}</SegmentTimeline>`;
}

function segmentTemplate(track: PackagedTrack, format: SegmentTemplateFormat, idPattern: string): string {
  const media = format === 'TIME_WITH_TIMELINE' ? `${idPattern}_$Time$.m4s` : `${idPattern}_$Number$.m4s`;
  const common = `timescale="${String(track.timescale ?? 1)}" media="${media}" initialization="${idPattern}_init.mp4"`;
  if (format === 'NUMBER_WITH_DURATION') {
    const duration = track.segments[0]?.duration ?? 0;
    return `<SegmentTemplate ${common} startNumber="1" duration="${String(duration)}"/>`;
  }
  const start = format === 'NUMBER_WITH_TIMELINE' ? ' startNumber="1"' : '';
  return `<SegmentTemplate ${common}${start}>${segmentTimeline(track)}</SegmentTemplate>`;
}

/** COMPACT puts one SegmentTemplate on the AdaptationSet when every Representation shares the same timing. */
function sharedTemplate(tracks: PackagedTrack[], format: SegmentTemplateFormat): string | undefined {
  const [first, ...rest] = tracks;
  if (!first) return undefined;
  const timing = (track: PackagedTrack) =>
    JSON.stringify([track.timescale, track.segments.map((segment) => [segment.decodeTime, segment.duration])]);
  return rest.every((track) => timing(track) === timing(first))
    ? segmentTemplate(first, format, '$RepresentationID$')
    : undefined;
}

function adaptationSet(
  attributes: string,
  children: string[],
  tracks: PackagedTrack[],
  representations: ((template: string) => string)[],
  layout: DashManifest['ManifestLayout'],
  format: SegmentTemplateFormat,
): string {
  const shared = layout === 'COMPACT' ? sharedTemplate(tracks, format) : undefined;
  const body = [
    ...children,
    ...(shared ? [shared] : []),
    ...tracks.map((track, index) =>
      (representations[index] ?? (() => ''))(shared ? '' : segmentTemplate(track, format, track.key)),
    ),
  ];
  return `<AdaptationSet ${attributes}>${body.join('')}</AdaptationSet>`;
}

/**
 * The MPD of one DashManifest: static, one Period, a video AdaptationSet (Representations in the StreamSelection's
 * order) and one audio AdaptationSet per language track, CMAF segments addressed by the package's
 * SegmentTemplateFormat, the layout FULL or COMPACT, @bandwidth computed for the manifest's minBufferTime.
 */
export function dashManifest(
  manifest: DashManifest,
  format: SegmentTemplateFormat,
  videos: PackagedVideo[],
  audios: PackagedAudio[],
): string {
  const minBuffer = manifest.MinBufferTimeSeconds ?? 30;
  const selected = selectVideos(videos, manifest.StreamSelection);
  const duration = Math.max(
    0,
    ...[...videos.map((video) => video.track), ...audios.map((audio) => audio.track)].map((track) =>
      track.segments.reduce((sum, segment) => sum + segment.seconds, 0),
    ),
  );
  const layout = manifest.ManifestLayout ?? 'FULL';
  const videoSet = adaptationSet(
    'mimeType="video/mp4" contentType="video" segmentAlignment="true" startWithSAP="1"',
    [],
    selected.map((video) => video.track),
    selected.map(
      (video) => (template) =>
        `<Representation id="${video.track.key}" bandwidth="${String(dashBandwidth(video.track, minBuffer))}" ` +
        `codecs="${video.source.codecs}" width="${String(video.source.width)}" height="${String(video.source.height)}" ` +
        `frameRate="${video.source.frameRate}">${template}</Representation>`,
    ),
    layout,
    format,
  );
  const audioSets = audios.map((audio) =>
    adaptationSet(
      `mimeType="audio/mp4" contentType="audio" lang="${escapeXml(audio.language)}" segmentAlignment="true" startWithSAP="1"`,
      [`<Label>${escapeXml(audio.name)}</Label>`, '<Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>'],
      [audio.track],
      [
        (template) =>
          `<Representation id="${audio.track.key}" bandwidth="${String(dashBandwidth(audio.track, minBuffer))}" ` +
          `codecs="${audio.source.codecs}" audioSamplingRate="${String(audio.source.sampleRate)}">` +
          `<AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" ` +
          `value="${String(audio.source.channels)}"/>${template}</Representation>`,
      ],
      layout,
      format,
    ),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="${PROFILES[manifest.Profile ?? 'NONE']}" type="static" ` +
      `mediaPresentationDuration="${isoDuration(duration)}" minBufferTime="PT${String(minBuffer)}S">`,
    `<Period id="0" start="PT0S">${videoSet}${audioSets.join('')}</Period>`,
    '</MPD>',
    '',
  ].join('\n');
}
