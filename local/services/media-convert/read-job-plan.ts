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

export interface VideoRungPlan {
  /** `_1080p`: the output's name is the destination's base name plus this. */
  nameModifier: string;
  width: number;
  height: number;
  profile: 'baseline' | 'main' | 'high';
  /** `4.1`, or undefined for AUTO (the encoder picks the lowest level that fits). */
  level?: string;
  rate: RateControl;
  /** Forced output frame rate; undefined follows the source. */
  frameRate?: { numerator: number; denominator: number };
  /** The audio group (CMFC AudioRenditionSets) this rung plays with. */
  audioGroup?: string;
}

export interface AudioPlan {
  nameModifier: string;
  groupId: string;
  bitrate: number;
  sampleRate: number;
  channels: number;
}

export interface PosterPlan {
  destination: S3Location & { baseName: string };
  width: number;
  height: number;
  /** One capture every `intervalSeconds`, starting at 0 s, at most `maxCaptures`. */
  intervalSeconds: number;
  maxCaptures: number;
  /** JPEG quality 1-100. */
  quality: number;
}

export interface TrickPlayPlan {
  thumbnailWidth: number;
  tileWidth: number;
  tileHeight: number;
}

export interface GopPlan {
  size: number;
  units: 'SECONDS' | 'FRAMES';
}

/** Everything the local transcode reads from a MediaConvert job's settings. */
export interface TranscodePlan {
  source: S3Location;
  cmaf: {
    destination: S3Location & { baseName: string };
    segmentSeconds: number;
    gop: GopPlan;
    minBufferMs: number;
    /** DASH @bandwidth: the rung's cap (MAX) or its measured average (AVERAGE). */
    bandwidthType: 'MAX' | 'AVERAGE';
  };
  rungs: VideoRungPlan[];
  audio?: AudioPlan;
  poster?: PosterPlan;
  trickPlay?: TrickPlayPlan;
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

function destinationOf(url: string | undefined, what: string, sourceKey: string): S3Location & { baseName: string } {
  if (!url) throw invalid(`${what} has no Destination`);
  const { bucket, key } = parseS3Url(url, `${what} Destination`);
  const slash = key.lastIndexOf('/');
  // Without a base name MediaConvert names outputs after the input file.
  const inputName = (sourceKey.split('/').pop() ?? 'output').replace(/\.[^.]*$/, '');
  const baseName = key.slice(slash + 1) || inputName;
  return { bucket, key: key.slice(0, slash + 1), baseName };
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

function profileOf(h264: H264Settings, label: string): VideoRungPlan['profile'] {
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

function videoRung(output: Output, label: string): VideoRungPlan {
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
  const audioGroup = output.ContainerSettings?.CmfcSettings?.AudioRenditionSets;
  return {
    nameModifier: output.NameModifier ?? '',
    width: video.Width,
    height: video.Height,
    profile: profileOf(h264, label),
    level: levelOf(h264),
    rate: rateControlOf(h264, label),
    ...(forced ? { frameRate: forced } : {}),
    ...(audioGroup ? { audioGroup } : {}),
  };
}

const CHANNELS: Record<string, number> = {
  CODING_MODE_1_0: 1,
  CODING_MODE_1_1: 2,
  CODING_MODE_2_0: 2,
  CODING_MODE_5_1: 6,
};

function audioOutput(output: Output, label: string): AudioPlan {
  const [description, ...more] = output.AudioDescriptions ?? [];
  const aac = description?.CodecSettings?.AacSettings;
  if (!description || more.length > 0 || description.CodecSettings?.Codec !== 'AAC' || !aac) {
    throw invalid(`${label}: the local MediaConvert writes one AAC audio description per output`);
  }
  return {
    nameModifier: output.NameModifier ?? '',
    groupId: output.ContainerSettings?.CmfcSettings?.AudioGroupId ?? 'program_audio',
    bitrate: aac.Bitrate ?? 96000,
    sampleRate: aac.SampleRate ?? 48000,
    channels: CHANNELS[aac.CodingMode ?? 'CODING_MODE_2_0'] ?? 2,
  };
}

function gopOf(h264: H264Settings | undefined): GopPlan {
  // MediaConvert's AUTO GOP is about two seconds for ABR outputs.
  if (!h264?.GopSize || h264.GopSizeUnits === 'AUTO') return { size: 2, units: 'SECONDS' };
  return { size: h264.GopSize, units: h264.GopSizeUnits === 'FRAMES' ? 'FRAMES' : 'SECONDS' };
}

function posterOf(group: OutputGroup, sourceKey: string): PosterPlan | undefined {
  const output = group.Outputs?.find(
    (candidate) => candidate.VideoDescription?.CodecSettings?.Codec === 'FRAME_CAPTURE',
  );
  const video = output?.VideoDescription;
  if (!video) return undefined;
  const capture = video.CodecSettings?.FrameCaptureSettings;
  if (!video.Width || !video.Height) throw invalid('frame capture output: Width and Height are required locally');
  const numerator = capture?.FramerateNumerator ?? 1;
  const denominator = capture?.FramerateDenominator ?? 1;
  return {
    destination: destinationOf(group.OutputGroupSettings?.FileGroupSettings?.Destination, 'file group', sourceKey),
    width: video.Width,
    height: video.Height,
    intervalSeconds: denominator / numerator,
    maxCaptures: capture?.MaxCaptures ?? 10_000_000,
    quality: capture?.Quality ?? 80,
  };
}

/**
 * Reads the job settings the local transcode honours: one input, one CMAF group (H.264 rungs, at most one AAC
 * audio output, image-based trick play) and optionally a file group with a frame capture. Anything it cannot
 * honour is refused at CreateJob with BadRequestException, as MediaConvert refuses invalid settings.
 */
export function readJobPlan(settings: JobSettings | undefined): TranscodePlan {
  const [input, ...moreInputs] = settings?.Inputs ?? [];
  if (!input?.FileInput) throw invalid('the job needs one input with a FileInput');
  if (moreInputs.length > 0) throw invalid('the local MediaConvert transcodes one input per job');
  const source = parseS3Url(input.FileInput, 'FileInput');
  if (!source.key) throw invalid(`FileInput "${input.FileInput}" names no object`);

  const groups = settings?.OutputGroups ?? [];
  const cmafGroups = groups.filter((group) => group.OutputGroupSettings?.Type === 'CMAF_GROUP_SETTINGS');
  const [cmafGroup] = cmafGroups;
  const cmaf = cmafGroup?.OutputGroupSettings?.CmafGroupSettings;
  if (!cmafGroup || !cmaf || cmafGroups.length > 1) throw invalid('the local MediaConvert needs one CMAF output group');
  const others = groups.filter((group) => group !== cmafGroup);
  if (others.some((group) => group.OutputGroupSettings?.Type !== 'FILE_GROUP_SETTINGS')) {
    throw invalid('the local MediaConvert writes CMAF and file (frame capture) output groups only');
  }

  const outputs = cmafGroup.Outputs ?? [];
  const rungs = outputs
    .filter((output) => output.VideoDescription)
    .map((output, index) => videoRung(output, `CMAF output ${output.NameModifier ?? String(index)}`));
  if (rungs.length === 0) throw invalid('the CMAF group has no video output');
  const audioOutputs = outputs.filter((output) => output.AudioDescriptions && !output.VideoDescription);
  if (audioOutputs.length > 1) throw invalid('the local MediaConvert writes at most one audio rendition');
  const [audioSource] = audioOutputs;
  const names = [...rungs.map((rung) => rung.nameModifier), ...(audioSource ? [audioSource.NameModifier ?? ''] : [])];
  if (new Set(names).size !== names.length) throw invalid('CMAF outputs need distinct NameModifiers');

  const firstH264 = outputs.find((output) => output.VideoDescription)?.VideoDescription?.CodecSettings?.H264Settings;
  const trick =
    cmaf.ImageBasedTrickPlay && cmaf.ImageBasedTrickPlay !== 'NONE' ? cmaf.ImageBasedTrickPlaySettings : undefined;
  const posterGroup = others.find((group) => posterOf(group, source.key));

  return {
    source,
    cmaf: {
      destination: destinationOf(cmaf.Destination, 'CMAF group', source.key),
      segmentSeconds: cmaf.SegmentLength ?? 10,
      gop: gopOf(firstH264),
      minBufferMs: cmaf.MinBufferTime ?? 2000,
      bandwidthType: cmaf.MpdManifestBandwidthType === 'AVERAGE' ? 'AVERAGE' : 'MAX',
    },
    rungs,
    ...(audioSource ? { audio: audioOutput(audioSource, `CMAF output ${audioSource.NameModifier ?? 'audio'}`) } : {}),
    ...(posterGroup ? { poster: posterOf(posterGroup, source.key) } : {}),
    ...(cmaf.ImageBasedTrickPlay && cmaf.ImageBasedTrickPlay !== 'NONE'
      ? {
          trickPlay: {
            thumbnailWidth: trick?.ThumbnailWidth ?? 312,
            tileWidth: trick?.TileWidth ?? 1,
            tileHeight: trick?.TileHeight ?? 1,
          },
        }
      : {}),
  };
}
