/** One output as ffmpeg's dash muxer describes it: codec string, picture, and the segment timeline. */
export interface EncodedTrack {
  /** RFC 6381, from the encoded stream's own parameters (`avc1.64001f`, `mp4a.40.2`). */
  codecs: string;
  timescale: number;
  /** Start of the first segment, in timescale units. */
  start: number;
  /** Each segment's duration, in timescale units, in order. */
  durations: number[];
  width?: number;
  height?: number;
  /** `30/1`, `30000/1001` */
  frameRate?: string;
  sampleRate?: number;
}

function attributesOf(tag: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of tag.matchAll(/([\w:]+)="([^"]*)"/g)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) attributes[name] = value;
  }
  return attributes;
}

function firstTag(xml: string, name: string): Record<string, string> | undefined {
  const tag = new RegExp(`<${name}\\b[^>]*>`).exec(xml)?.[0];
  return tag ? attributesOf(tag) : undefined;
}

function optionalNumber(value: string | undefined): number | undefined {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * Reads the MPD ffmpeg's dash muxer wrote for one output (one Representation, SegmentTemplate with a
 * SegmentTimeline). The published manifests are written from this, so their durations are the encoded ones.
 */
export function readFfmpegManifest(xml: string): EncodedTrack {
  const representation = firstTag(xml, 'Representation');
  const template = firstTag(xml, 'SegmentTemplate');
  if (!representation?.codecs || !template) throw new Error('ffmpeg wrote an MPD without a Representation');
  const timescale = optionalNumber(template.timescale) ?? 1;
  const durations: number[] = [];
  let start: number | undefined;
  for (const match of xml.matchAll(/<S\b[^>]*>/g)) {
    const entry = attributesOf(match[0]);
    const duration = optionalNumber(entry.d);
    if (duration === undefined) continue;
    start ??= optionalNumber(entry.t) ?? 0;
    const repeats = optionalNumber(entry.r) ?? 0;
    for (let index = 0; index <= repeats; index += 1) durations.push(duration);
  }
  if (durations.length === 0) throw new Error('ffmpeg wrote an MPD without segments');
  return {
    codecs: representation.codecs,
    timescale,
    start: start ?? 0,
    durations,
    width: optionalNumber(representation.width),
    height: optionalNumber(representation.height),
    frameRate: representation.frameRate,
    sampleRate: optionalNumber(representation.audioSamplingRate),
  };
}
