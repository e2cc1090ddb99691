import type {
  Codec,
  ColorPrimaries,
  Format,
  MatrixCoefficients,
  ProbeResult,
  Track,
  TransferCharacteristics,
} from '@aws-sdk/client-mediaconvert';
import type { ProbedFile, ProbedStream } from '../../ffmpeg/probe-media-file';
import type { StoredObject } from '../../seam/object-store';

const CODECS: Record<string, Codec> = {
  h264: 'AVC',
  hevc: 'HEVC',
  av1: 'AV1',
  vp8: 'VP8',
  vp9: 'VP9',
  mpeg1video: 'MPEG1',
  mpeg2video: 'MPEG2',
  mpeg4: 'MP4V',
  prores: 'PRORES',
  mjpeg: 'MJPEG',
  jpeg2000: 'JPEG2000',
  qtrle: 'QTRLE',
  theora: 'THEORA',
  rawvideo: 'UNCOMPRESSED',
  aac: 'AAC',
  ac3: 'AC3',
  eac3: 'EAC3',
  flac: 'FLAC',
  mp2: 'MP2',
  mp3: 'MP3',
  opus: 'OPUS',
  vorbis: 'VORBIS',
  eia_608: 'C608',
  webvtt: 'WEBVTT',
};

const PRIMARIES: Record<string, ColorPrimaries> = {
  bt709: 'ITU_709',
  bt2020: 'ITU_2020',
  bt470bg: 'ITU_470BG',
  bt470m: 'ITU_470M',
  smpte170m: 'SMPTE_170M',
  smpte240m: 'SMPTE_240M',
  film: 'GENERIC_FILM',
  smpte428: 'SMPTE_428_1',
  smpte431: 'SMPTE_431_2',
  smpte432: 'SMPTE_EG_432_1',
};

const TRANSFERS: Record<string, TransferCharacteristics> = {
  bt709: 'ITU_709',
  bt470bg: 'ITU_470BG',
  bt470m: 'ITU_470M',
  smpte170m: 'SMPTE_170M',
  smpte240m: 'SMPTE_240M',
  linear: 'LINEAR',
  'iec61966-2-1': 'IEC_61966_2_1',
  'iec61966-2-4': 'IEC_61966_2_4',
  'bt2020-10': 'ITU_2020_10bit',
  'bt2020-12': 'ITU_2020_12bit',
  smpte2084: 'SMPTE_2084',
  'arib-std-b67': 'ARIB_B67',
};

const MATRICES: Record<string, MatrixCoefficients> = {
  gbr: 'RGB',
  bt709: 'ITU_709',
  fcc: 'FCC',
  bt470bg: 'ITU_470BG',
  smpte170m: 'SMPTE_170M',
  smpte240m: 'SMPTE_240M',
  ycgco: 'YCgCo',
  bt2020nc: 'ITU_2020_NCL',
  bt2020c: 'ITU_2020_CL',
};

const MIME_TYPES: Partial<Record<Format, string>> = {
  mp4: 'video/mp4',
  quicktime: 'video/quicktime',
  matroska: 'video/x-matroska',
  webm: 'video/webm',
  mxf: 'application/mxf',
  wave: 'audio/wav',
  avi: 'video/x-msvideo',
  mpegts: 'video/mp2t',
  mpegps: 'video/mpeg',
  mp3: 'audio/mpeg',
};

const WEBM_CODECS = new Set(['vp8', 'vp9', 'av1', 'opus', 'vorbis', 'webvtt']);

/** MediaConvert's container name for ffprobe's demuxer, or undefined for a container MediaConvert does not list. */
export function containerFormat(probed: ProbedFile): Format | undefined {
  const names = probed.formatName.split(',');
  if (names.includes('mp4') || names.includes('mov')) {
    return probed.majorBrand?.trim() === 'qt' ? 'quicktime' : 'mp4';
  }
  if (names.includes('matroska')) {
    return probed.streams.every((stream) => WEBM_CODECS.has(stream.codecName)) ? 'webm' : 'matroska';
  }
  const direct: Record<string, Format> = {
    mxf: 'mxf',
    wav: 'wave',
    avi: 'avi',
    mpegts: 'mpegts',
    mpeg: 'mpegps',
    mp3: 'mp3',
  };
  return names.map((name) => direct[name]).find((format) => format !== undefined);
}

function round3(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 1000) / 1000;
}

function bitDepthOf(stream: ProbedStream): number | undefined {
  const fromFormat = /p(\d+)(?:le|be)$/.exec(stream.pixelFormat ?? '')?.[1];
  if (fromFormat) return Number(fromFormat);
  return stream.bitsPerRawSample ?? (stream.pixelFormat ? 8 : undefined);
}

function frameRateOf(stream: ProbedStream): { Numerator: number; Denominator: number } | undefined {
  const [numerator, denominator] = (stream.frameRate ?? '').split('/').map(Number);
  return numerator && denominator ? { Numerator: numerator, Denominator: denominator } : undefined;
}

function videoTrack(stream: ProbedStream): Track['VideoProperties'] {
  return {
    Width: stream.width,
    Height: stream.height,
    FrameRate: frameRateOf(stream),
    BitDepth: bitDepthOf(stream),
    BitRate: stream.bitRate,
    ...(stream.rotation ? { Rotation: stream.rotation } : {}),
    ColorPrimaries: PRIMARIES[stream.colorPrimaries ?? ''] ?? 'UNSPECIFIED',
    TransferCharacteristics: TRANSFERS[stream.colorTransfer ?? ''] ?? 'UNSPECIFIED',
    MatrixCoefficients: MATRICES[stream.colorSpace ?? ''] ?? 'UNSPECIFIED',
  };
}

function audioTrack(stream: ProbedStream): Track['AudioProperties'] {
  return {
    Channels: stream.channels,
    SampleRate: stream.sampleRate,
    BitDepth: stream.bitsPerSample ?? stream.bitsPerRawSample,
    BitRate: stream.bitRate,
    ...(stream.language && stream.language !== 'und' ? { LanguageCode: stream.language.toUpperCase() } : {}),
  };
}

function trackOf(stream: ProbedStream): Track {
  const base: Track = {
    Codec: CODECS[stream.codecName] ?? (stream.codecName.startsWith('pcm_') ? 'PCM' : 'UNKNOWN'),
    Index: stream.index + 1,
    Duration: round3(stream.duration),
  };
  if (stream.codecType === 'video') return { TrackType: 'video', ...base, VideoProperties: videoTrack(stream) };
  if (stream.codecType === 'audio') return { TrackType: 'audio', ...base, AudioProperties: audioTrack(stream) };
  return { TrackType: 'data', ...base };
}

/**
 * A probe in the shape MediaConvert's Probe answers (events/mediaconvert/probe-response-1080p.json): 1-based track
 * indexes, MediaConvert's codec and colour enums, and the object's metadata. Cover art (an attached picture) is
 * not a video track.
 */
export function describeProbeResult(probed: ProbedFile, format: Format, object: StoredObject): ProbeResult {
  const tracks = probed.streams.filter((stream) => !stream.attachedPicture).map(trackOf);
  const indexesOf = (type: string): number[] =>
    tracks.filter((track) => track.TrackType === type).map((track) => track.Index ?? 0);
  const mapping = {
    ...(indexesOf('video').length > 0 ? { VideoTrackIndexes: indexesOf('video') } : {}),
    ...(indexesOf('audio').length > 0 ? { AudioTrackIndexes: indexesOf('audio') } : {}),
    ...(indexesOf('data').length > 0 ? { DataTrackIndexes: indexesOf('data') } : {}),
  };
  return {
    Container: {
      Format: format,
      Duration: round3(probed.duration),
      BitRate: probed.bitRate,
      Tracks: tracks,
    },
    Metadata: {
      ETag: object.etag.replace(/"/g, ''),
      FileSize: object.size,
      LastModified: new Date(object.lastModified),
      MimeType: MIME_TYPES[format],
    },
    TrackMappings: Object.keys(mapping).length > 0 ? [mapping] : [],
  };
}
