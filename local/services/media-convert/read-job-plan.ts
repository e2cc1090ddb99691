import type { H264Settings, JobSettings, Output, OutputGroup } from '@aws-sdk/client-mediaconvert';
import { LocalServiceError } from '../../seam/local-service';

export interface S3Location {
  bucket: string;
  key: string;
}

export interface RateControl {
  /** x264 constant rate factor standing in for a QVBR level (undefined for CBR/VBR). */
  crf?: number;
  /** Target average for CBR/VBR. */
  bitrate?: number;
  maxBitrate: number;
  bufferSize: number;
}

export interface AudioPlan {
  bitrate: number;
  sampleRate: number;
  channels: number;
}

export interface GopPlan {
  size: number;
  units: 'SECONDS' | 'FRAMES';
}

/** One MP4 output of a file group: H.264 video, optionally AAC audio, muxed in one non-fragmented file. */
export interface Mp4OutputPlan {
  kind: 'mp4';
  /** The object the output becomes: the group's destination folder, base name + NameModifier + `.mp4`. */
  destination: S3Location;
  width: number;
  height: number;
  profile: 'baseline' | 'main' | 'high';
  /** `4.1`, or undefined for AUTO (the encoder picks the lowest level that fits). */
  level?: string;
  rate: RateControl;
  gop: GopPlan;
  /** Forced output frame rate; undefined follows the source. */
  frameRate?: { numerator: number; denominator: number };
  audio?: AudioPlan;
  /** Mp4Settings MoovPlacement PROGRESSIVE_DOWNLOAD (the default): the moov box before the media data. */
  moovFirst: boolean;
}

/** One FRAME_CAPTURE output: JPEGs named `<base><NameModifier>.NNNNNNN.jpg`, numbered from 0. */
export interface FrameCapturePlan {
  kind: 'frame-capture';
  /** The group's destination folder; `key` is the file-name prefix before `.NNNNNNN.jpg`. */
  destination: S3Location;
  width: number;
  height: number;
  /** The first frame, then one every `intervalSeconds`, at most `maxCaptures`. */
  intervalSeconds: number;
  maxCaptures: number;
  /** JPEG quality 1-100. */
  quality: number;
}

export type OutputPlan = Mp4OutputPlan | FrameCapturePlan;

/** Everything the local transcode reads from a MediaConvert job's settings: its file groups, outputs in order. */
export interface TranscodePlan {
  source: S3Location;
  groups: OutputPlan[][];
}

function invalid(message: string): LocalServiceError {
  return new LocalServiceError('BadRequestException', message);
}

/** `s3://bucket/key` split; the key may be empty (a bare bucket). */
export function parseS3Url(url: string, what: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  if (!match?.[1]) throw invalid(`${what} must be an s3://bucket/key URL, got "${url}"`);
  return { bucket: match[1], key: match[2] ?? '' };
}

/** The group's folder and base name: without a base name MediaConvert names outputs after the input file. */
function destinationOf(group: OutputGroup, label: string, sourceKey: string): { bucket: string; prefix: string } {
  const url = group.OutputGroupSettings?.FileGroupSettings?.Destination;
  if (!url) throw invalid(`${label} has no Destination`);
  const { bucket, key } = parseS3Url(url, `${label} Destination`);
  const inputName = (sourceKey.split('/').pop() ?? 'output').replace(/\.[^.]*$/, '');
  const slash = key.lastIndexOf('/');
  return { bucket, prefix: `${key.slice(0, slash + 1)}${key.slice(slash + 1) || inputName}` };
}

/**
 * QVBR level (1-10, 10 best) to an x264 CRF that lands near the same visual quality: 7 (MediaConvert's usual
 * laptop level) is CRF 23, x264's own default, and each level is about two CRF steps.
 */
export function crfForQvbrLevel(level: number): number {
  return Math.min(51, Math.max(0, Math.round(37 - 2 * level)));
}

function rateControlOf(h264: H264Settings, label: string): RateControl {
  const mode = h264.RateControlMode ?? 'QVBR';
  if (mode === 'QVBR') {
    if (!h264.MaxBitrate) throw invalid(`${label}: QVBR needs MaxBitrate`);
    return {
      crf: crfForQvbrLevel(h264.QvbrSettings?.QvbrQualityLevel ?? 7),
      maxBitrate: h264.MaxBitrate,
      bufferSize: h264.HrdBufferSize ?? 2 * h264.MaxBitrate,
    };
  }
  const bitrate = h264.Bitrate;
  if (!bitrate) throw invalid(`${label}: ${mode} needs Bitrate`);
  const maxBitrate = mode === 'CBR' ? bitrate : (h264.MaxBitrate ?? bitrate);
  return { bitrate, maxBitrate, bufferSize: h264.HrdBufferSize ?? 2 * maxBitrate };
}

function profileOf(h264: H264Settings, label: string): Mp4OutputPlan['profile'] {
  const profile = h264.CodecProfile ?? 'MAIN';
  if (profile === 'HIGH') return 'high';
  if (profile === 'MAIN') return 'main';
  if (profile === 'BASELINE') return 'baseline';
  throw invalid(`${label}: CodecProfile ${profile} is not supported by the local MediaConvert (8-bit 4:2:0 only)`);
}

function levelOf(h264: H264Settings): string | undefined {
  const level = h264.CodecLevel ?? 'AUTO';
  if (level === 'AUTO') return undefined;
  // LEVEL_4_1 -> 4.1, LEVEL_3 -> 3
  return level.replace(/^LEVEL_/, '').replace('_', '.');
}

function gopOf(h264: H264Settings): GopPlan {
  // MediaConvert's AUTO GOP is about two seconds.
  if (!h264.GopSize || h264.GopSizeUnits === 'AUTO') return { size: 2, units: 'SECONDS' };
  return { size: h264.GopSize, units: h264.GopSizeUnits === 'FRAMES' ? 'FRAMES' : 'SECONDS' };
}

const CHANNELS: Record<string, number> = {
  CODING_MODE_1_0: 1,
  CODING_MODE_1_1: 2,
  CODING_MODE_2_0: 2,
  CODING_MODE_5_1: 6,
};

function audioOf(output: Output, label: string): AudioPlan | undefined {
  const descriptions = output.AudioDescriptions ?? [];
  if (descriptions.length === 0) return undefined;
  const [description] = descriptions;
  const aac = description?.CodecSettings?.AacSettings;
  if (descriptions.length > 1 || description?.CodecSettings?.Codec !== 'AAC' || !aac) {
    throw invalid(`${label}: the local MediaConvert writes one AAC audio description per output`);
  }
  return {
    bitrate: aac.Bitrate ?? 96000,
    sampleRate: aac.SampleRate ?? 48000,
    channels: CHANNELS[aac.CodingMode ?? 'CODING_MODE_2_0'] ?? 2,
  };
}

function mp4Output(output: Output, label: string, destination: S3Location): Mp4OutputPlan {
  const video = output.VideoDescription;
  const h264 = video?.CodecSettings?.H264Settings;
  if (video?.CodecSettings?.Codec !== 'H_264' || !h264) {
    throw invalid(`${label}: the local MediaConvert encodes H_264 video only`);
  }
  if (!video.Width || !video.Height) throw invalid(`${label}: Width and Height are required locally`);
  const forced =
    h264.FramerateControl === 'SPECIFIED' && h264.FramerateNumerator && h264.FramerateDenominator
      ? { numerator: h264.FramerateNumerator, denominator: h264.FramerateDenominator }
      : undefined;
  const audio = audioOf(output, label);
  return {
    kind: 'mp4',
    destination,
    width: video.Width,
    height: video.Height,
    profile: profileOf(h264, label),
    level: levelOf(h264),
    rate: rateControlOf(h264, label),
    gop: gopOf(h264),
    ...(forced ? { frameRate: forced } : {}),
    ...(audio ? { audio } : {}),
    moovFirst: output.ContainerSettings?.Mp4Settings?.MoovPlacement !== 'NORMAL',
  };
}

function frameCaptureOutput(output: Output, label: string, destination: S3Location): FrameCapturePlan {
  const video = output.VideoDescription;
  // A frame capture output has no container and no audio (mediaconvert/latest/ug/file-group-with-frame-capture-output.html).
  if (output.ContainerSettings?.Container !== 'RAW' || (output.AudioDescriptions ?? []).length > 0) {
    throw invalid(`${label}: a frame capture output needs container RAW and no audio`);
  }
  if (!video?.Width || !video.Height) throw invalid(`${label}: Width and Height are required locally`);
  const capture = video.CodecSettings?.FrameCaptureSettings;
  return {
    kind: 'frame-capture',
    destination,
    width: video.Width,
    height: video.Height,
    intervalSeconds: (capture?.FramerateDenominator ?? 1) / (capture?.FramerateNumerator ?? 1),
    maxCaptures: capture?.MaxCaptures ?? 10_000_000,
    quality: capture?.Quality ?? 80,
  };
}

function outputOf(output: Output, label: string, group: { bucket: string; prefix: string }): OutputPlan {
  const base = `${group.prefix}${output.NameModifier ?? ''}`;
  if (output.VideoDescription?.CodecSettings?.Codec === 'FRAME_CAPTURE') {
    return frameCaptureOutput(output, label, { bucket: group.bucket, key: base });
  }
  if (output.ContainerSettings?.Container !== 'MP4') {
    throw invalid(`${label}: the local MediaConvert writes MP4 and frame capture outputs only`);
  }
  return mp4Output(output, label, { bucket: group.bucket, key: `${base}.${output.Extension ?? 'mp4'}` });
}

/**
 * Reads the job settings the local transcode honours: one input and file groups of MP4 outputs (H.264, at most one
 * AAC track) and frame captures. Settings MediaConvert refuses, and settings the local service cannot honour, are
 * refused at CreateJob with BadRequestException.
 */
export function readJobPlan(settings: JobSettings | undefined): TranscodePlan {
  const [input, ...moreInputs] = settings?.Inputs ?? [];
  if (!input?.FileInput) throw invalid('the job needs one input with a FileInput');
  if (moreInputs.length > 0) throw invalid('the local MediaConvert transcodes one input per job');
  const source = parseS3Url(input.FileInput, 'FileInput');
  if (!source.key) throw invalid(`FileInput "${input.FileInput}" names no object`);

  const groupSettings = settings?.OutputGroups ?? [];
  if (groupSettings.length === 0) throw invalid('the job needs at least one output group');
  const groups = groupSettings.map((group, groupIndex) => {
    const label = `output group ${group.CustomName ?? String(groupIndex)}`;
    if (group.OutputGroupSettings?.Type !== 'FILE_GROUP_SETTINGS') {
      throw invalid(`${label}: the local MediaConvert writes file groups only`);
    }
    const destination = destinationOf(group, label, source.key);
    const outputs = (group.Outputs ?? []).map((output, index) =>
      outputOf(output, `${label} output ${output.NameModifier ?? String(index)}`, destination),
    );
    if (outputs.length === 0) throw invalid(`${label} has no outputs`);
    // Two outputs of one group with one name would overwrite each other.
    const names = outputs.map((output) => output.destination.key);
    if (new Set(names).size !== names.length) throw invalid(`${label}: outputs need distinct NameModifiers`);
    return outputs;
  });
  // "MediaConvert doesn't support jobs that consist only of a frame capture output"
  // (mediaconvert/latest/ug/file-group-with-frame-capture-output.html).
  if (!groups.flat().some((output) => output.kind === 'mp4')) {
    throw invalid('a job needs an audio or video output besides its frame captures');
  }
  return { source, groups };
}
