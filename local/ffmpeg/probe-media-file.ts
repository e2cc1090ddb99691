import { runFfprobeJson } from './run-ffmpeg';

/** The parts of `ffprobe -show_format -show_streams` that local services read. */
export interface ProbedStream {
  index: number;
  codecType: string;
  codecName: string;
  width?: number;
  height?: number;
  /** "30000/1001" */
  frameRate?: string;
  pixelFormat?: string;
  bitsPerRawSample?: number;
  bitsPerSample?: number;
  bitRate?: number;
  duration?: number;
  channels?: number;
  sampleRate?: number;
  colorPrimaries?: string;
  colorTransfer?: string;
  colorSpace?: string;
  profile?: string;
  level?: number;
  /** Degrees clockwise a player turns the picture (0, 90, 180, 270). */
  rotation: number;
  language?: string;
  attachedPicture: boolean;
}

export interface ProbedFile {
  formatName: string;
  majorBrand?: string;
  duration?: number;
  bitRate?: number;
  streams: ProbedStream[];
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value !== 'unknown' && value !== 'N/A' ? value : undefined;
}

function numeric(value: unknown): number | undefined {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
}

function positive(value: unknown): number | undefined {
  const parsed = numeric(value);
  return parsed !== undefined && parsed > 0 ? parsed : undefined;
}

function frameRateOf(stream: Json): string | undefined {
  for (const candidate of [stream.avg_frame_rate, stream.r_frame_rate]) {
    const rate = text(candidate);
    const [numerator, denominator] = (rate ?? '').split('/').map(Number);
    if (numerator && denominator && numerator > 0 && denominator > 0) return `${numerator}/${denominator}`;
  }
  return undefined;
}

/** Clockwise rotation: the legacy `rotate` tag, else the display matrix (counter-clockwise, so negated). */
function rotationOf(stream: Json): number {
  const tags = isRecord(stream.tags) ? stream.tags : {};
  const tagged = numeric(tags.rotate);
  const sideData = Array.isArray(stream.side_data_list) ? stream.side_data_list.filter(isRecord) : [];
  const matrix = sideData.map((entry) => numeric(entry.rotation)).find((value) => value !== undefined);
  const degrees = tagged ?? (matrix === undefined ? 0 : -matrix);
  return ((Math.round(degrees) % 360) + 360) % 360;
}

function readStream(stream: Json): ProbedStream {
  const tags = isRecord(stream.tags) ? stream.tags : {};
  const disposition = isRecord(stream.disposition) ? stream.disposition : {};
  return {
    index: numeric(stream.index) ?? 0,
    codecType: text(stream.codec_type) ?? 'data',
    codecName: text(stream.codec_name) ?? 'unknown',
    width: positive(stream.width),
    height: positive(stream.height),
    frameRate: frameRateOf(stream),
    pixelFormat: text(stream.pix_fmt),
    bitsPerRawSample: positive(stream.bits_per_raw_sample),
    bitsPerSample: positive(stream.bits_per_sample),
    bitRate: positive(stream.bit_rate),
    duration: positive(stream.duration),
    channels: positive(stream.channels),
    sampleRate: positive(stream.sample_rate),
    colorPrimaries: text(stream.color_primaries),
    colorTransfer: text(stream.color_transfer),
    colorSpace: text(stream.color_space),
    profile: text(stream.profile),
    level: positive(stream.level),
    rotation: rotationOf(stream),
    language: text(tags.language),
    attachedPicture: disposition.attached_pic === 1,
  };
}

/** Probes a file with ffprobe; throws FfmpegFailed when ffprobe cannot read it. */
export async function probeMediaFile(ffprobe: string, file: string): Promise<ProbedFile> {
  const output = await runFfprobeJson(ffprobe, ['-show_format', '-show_streams', file]);
  const format = isRecord(output) && isRecord(output.format) ? output.format : {};
  const streams = isRecord(output) && Array.isArray(output.streams) ? output.streams.filter(isRecord) : [];
  const tags = isRecord(format.tags) ? format.tags : {};
  return {
    formatName: text(format.format_name) ?? '',
    majorBrand: text(tags.major_brand),
    duration: positive(format.duration),
    bitRate: positive(format.bit_rate),
    streams: streams.map(readStream),
  };
}
