import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { locateFfmpegBinaries } from '../../local/ffmpeg/locate-binaries';
import { runFfmpeg, runFfprobeJson } from '../../local/ffmpeg/run-ffmpeg';

/**
 * Checks of a published CMAF ladder that a viewer would notice: what each rung really is (ffprobe), where its
 * keyframes are, and whether the HLS and DASH manifests say what players need and point at files that exist.
 * Shared by the local MediaConvert tests and the end-to-end test.
 */

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null;

function ffprobe(): string {
  return locateFfmpegBinaries().ffprobe;
}

// ---------------------------------------------------------------------------------------------------------------
// HLS

export type HlsAttributes = Record<string, string>;

/** `BANDWIDTH=1,CODECS="avc1.64001f,mp4a.40.2"` -> { BANDWIDTH: '1', CODECS: 'avc1.64001f,mp4a.40.2' } */
export function parseHlsAttributes(list: string): HlsAttributes {
  const attributes: HlsAttributes = {};
  for (const match of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    const [, name, value] = match;
    if (name && value !== undefined) attributes[name] = value.replace(/^"|"$/g, '');
  }
  return attributes;
}

export interface HlsMaster {
  tags: string[];
  variants: { attributes: HlsAttributes; uri: string }[];
  media: HlsAttributes[];
  imageStreams: HlsAttributes[];
}

export function parseHlsMaster(text: string): HlsMaster {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines[0] !== '#EXTM3U') throw new Error('an HLS playlist starts with #EXTM3U');
  const master: HlsMaster = {
    tags: lines.filter((line) => line.startsWith('#')),
    variants: [],
    media: [],
    imageStreams: [],
  };
  lines.forEach((line, index) => {
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const uri = lines[index + 1];
      if (!uri || uri.startsWith('#')) throw new Error(`#EXT-X-STREAM-INF without a URI: ${line}`);
      master.variants.push({ attributes: parseHlsAttributes(line.slice('#EXT-X-STREAM-INF:'.length)), uri });
    } else if (line.startsWith('#EXT-X-MEDIA:')) {
      master.media.push(parseHlsAttributes(line.slice('#EXT-X-MEDIA:'.length)));
    } else if (line.startsWith('#EXT-X-IMAGE-STREAM-INF:')) {
      master.imageStreams.push(parseHlsAttributes(line.slice('#EXT-X-IMAGE-STREAM-INF:'.length)));
    }
  });
  return master;
}

export interface HlsMediaPlaylist {
  tags: string[];
  targetDuration: number;
  map?: string;
  segments: { duration: number; uri: string }[];
}

export function parseHlsMediaPlaylist(text: string): HlsMediaPlaylist {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines[0] !== '#EXTM3U') throw new Error('an HLS playlist starts with #EXTM3U');
  const playlist: HlsMediaPlaylist = {
    tags: lines.filter((line) => line.startsWith('#')),
    targetDuration: 0,
    segments: [],
  };
  let duration: number | undefined;
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) playlist.targetDuration = Number(line.split(':')[1]);
    else if (line.startsWith('#EXT-X-MAP:')) playlist.map = parseHlsAttributes(line.slice('#EXT-X-MAP:'.length)).URI;
    else if (line.startsWith('#EXTINF:')) duration = Number(line.slice('#EXTINF:'.length).split(',')[0]);
    else if (!line.startsWith('#')) {
      if (duration === undefined) throw new Error(`segment ${line} has no #EXTINF`);
      playlist.segments.push({ duration, uri: line });
      duration = undefined;
    }
  }
  return playlist;
}

// ---------------------------------------------------------------------------------------------------------------
// DASH: a minimal XML reader (elements, attributes, nesting) that refuses malformed documents

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

export function parseXml(text: string): XmlElement {
  const body = text.replace(/^\uFEFF?\s*<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const root: XmlElement = { name: '#document', attributes: {}, children: [] };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const match of body.matchAll(tag)) {
    const [, closing, name, attributeText = '', selfClosing, textNode, strayBracket] = match;
    if (strayBracket) throw new Error(`malformed XML near offset ${match.index}`);
    if (textNode !== undefined) {
      if (textNode.trim() && stack.length === 1) throw new Error('text outside the root element');
      continue;
    }
    const parent = stack[stack.length - 1];
    if (!name || !parent) throw new Error('malformed XML');
    if (closing) {
      if (parent.name !== name) throw new Error(`</${name}> closes <${parent.name}>`);
      stack.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const attribute of attributeText.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) {
      const [, key, value] = attribute;
      if (key && value !== undefined)
        attributes[key] = value
          .replace(/&quot;/g, '"')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&');
    }
    const element: XmlElement = { name, attributes, children: [] };
    parent.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]?.name ?? ''}>`);
  const [document] = root.children;
  if (!document || root.children.length !== 1) throw new Error('an XML document has exactly one root element');
  return document;
}

export function descendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...descendants(child, name)]);
}

/** Seconds of an ISO 8601 duration such as PT1M4.5S. */
export function isoSeconds(duration: string): number {
  const match = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(duration);
  if (!match) throw new Error(`not an ISO 8601 duration: ${duration}`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

function expandTemplate(template: string, values: { RepresentationID: string; Number: number }): string {
  return template
    .replace(/\$RepresentationID\$/g, values.RepresentationID)
    .replace(/\$Number(?:%0(\d+)d)?\$/g, (_, width?: string) =>
      String(values.Number).padStart(Number(width ?? 0), '0'),
    );
}

/** Every file an MPD's SegmentTemplates reference (initialization and each media segment), per Representation. */
export function dashReferencedFiles(mpd: XmlElement): { representation: XmlElement; files: string[] }[] {
  const presentationSeconds = isoSeconds(mpd.attributes.mediaPresentationDuration ?? 'PT0S');
  return descendants(mpd, 'AdaptationSet').flatMap((set) => {
    const setTemplate = set.children.find((child) => child.name === 'SegmentTemplate');
    return set.children
      .filter((child) => child.name === 'Representation')
      .map((representation) => {
        const template = representation.children.find((child) => child.name === 'SegmentTemplate') ?? setTemplate;
        if (!template) throw new Error(`Representation ${representation.attributes.id ?? ''} has no SegmentTemplate`);
        const id = representation.attributes.id ?? '';
        const start = Number(template.attributes.startNumber ?? 1);
        const timeline = template.children.find((child) => child.name === 'SegmentTimeline');
        const count = timeline
          ? descendants(timeline, 'S').reduce((sum, entry) => sum + 1 + Number(entry.attributes.r ?? 0), 0)
          : Math.ceil(
              presentationSeconds / (Number(template.attributes.duration) / Number(template.attributes.timescale ?? 1)),
            );
        const files = Array.from({ length: count }, (_, index) =>
          expandTemplate(template.attributes.media ?? '', { RepresentationID: id, Number: start + index }),
        );
        const init = template.attributes.initialization;
        return {
          representation,
          files: init ? [expandTemplate(init, { RepresentationID: id, Number: 0 }), ...files] : files,
        };
      });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The media itself

export interface RenditionFacts {
  codec: string;
  profile: string;
  width: number;
  height: number;
  /** Presentation time of every keyframe, in seconds. */
  keyframes: number[];
  /** Start time of each segment and whether its first frame is a keyframe. */
  segmentStarts: { time: number; keyframe: boolean }[];
}

interface Packet {
  time: number;
  keyframe: boolean;
}

async function packets(file: string, firstOnly: boolean): Promise<Packet[]> {
  const output = await runFfprobeJson(ffprobe(), [
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts_time,flags',
    ...(firstOnly ? ['-read_intervals', '%+#1'] : []),
    '-show_packets',
    file,
  ]);
  const list = isRecord(output) && Array.isArray(output.packets) ? output.packets.filter(isRecord) : [];
  return list.map((packet) => ({
    time: Number(packet.pts_time),
    keyframe: typeof packet.flags === 'string' && packet.flags.includes('K'),
  }));
}

/**
 * Probes one HLS rendition of MPEG-TS segments (in order, with their #EXTINF durations): the segments are joined
 * (TS concatenates) and remuxed to MP4 without re-encoding, since the npm ffprobe build crashes on MPEG-TS input;
 * each segment's start is the sum of the durations before it, and must be a keyframe of the joined stream.
 */
export async function inspectTsRendition(segmentFiles: string[], durations: number[]): Promise<RenditionFacts> {
  const folder = await mkdtemp(path.join(tmpdir(), 'vodflow-inspect-ts-'));
  try {
    const joined = path.join(folder, 'whole.ts');
    await writeFile(joined, Buffer.concat(await Promise.all(segmentFiles.map((file) => readFile(file)))));
    const whole = path.join(folder, 'whole.mp4');
    await runFfmpeg(locateFfmpegBinaries().ffmpeg, ['-v', 'error', '-i', joined, '-map', '0:v:0', '-c', 'copy', whole])
      .done;
    const streams = await runFfprobeJson(ffprobe(), ['-select_streams', 'v:0', '-show_streams', whole]);
    const stream = (isRecord(streams) && Array.isArray(streams.streams) ? streams.streams : []).find(isRecord) ?? {};
    const all = await packets(whole, false);
    const origin = Math.min(...all.map((packet) => packet.time));
    const keyframes = all.filter((packet) => packet.keyframe).map((packet) => packet.time - origin);
    let start = 0;
    const segmentStarts = durations.map((duration) => {
      const time = start;
      start += duration;
      return { time, keyframe: keyframes.some((keyframe) => Math.abs(keyframe - time) < 0.05) };
    });
    return {
      codec: String(stream.codec_name),
      profile: String(stream.profile),
      width: Number(stream.width),
      height: Number(stream.height),
      keyframes,
      segmentStarts,
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Streams of one media file as ffprobe reports them (codec_type, codec_name, width, height, sample_rate...). */
export async function probeStreams(file: string): Promise<Json[]> {
  const output = await runFfprobeJson(ffprobe(), ['-show_streams', file]);
  return isRecord(output) && Array.isArray(output.streams) ? output.streams.filter(isRecord) : [];
}
