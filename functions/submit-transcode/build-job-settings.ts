/**
 * Fits the versioned MediaConvert job template (templates/mediaconvert/publish-cmaf.v1.json) to one source: which
 * rungs of the ladder to encode and at what size, where the outputs go, and what to drop when the source has no
 * audio. Pure: plain data in, plain data out; the template object passed in is never modified.
 *
 * ## The ladder (H.264 High profile, level AUTO, QVBR, single-pass HQ)
 *
 * | rung  | box (landscape) | MaxBitrate | QVBR | bits/pixel at 30 fps, at the cap |
 * |-------|-----------------|-----------:|-----:|---------------------------------:|
 * | 2160p | 3840x2160       |  15.0 Mbps |    9 | 0.060                            |
 * | 1080p | 1920x1080       |   6.0 Mbps |    8 | 0.096                            |
 * | 720p  | 1280x720        |   3.5 Mbps |    8 | 0.127                            |
 * | 540p  | 960x540         |   2.0 Mbps |    7 | 0.129                            |
 * | 360p  | 640x360         |   1.0 Mbps |    7 | 0.145                            |
 * | 270p  | 480x270         |   0.5 Mbps |    6 | 0.129                            |
 * Audio: one AAC-LC stereo rendition, 128 kbps CBR, 48 kHz, in its own CMAF output (group `audio_aac`).
 *
 * Why these numbers. QVBR spends what each scene needs to reach the quality level and never more than MaxBitrate,
 * so the caps are the bandwidth a player must budget, not the typical rate (talking heads land far below them).
 * The levels follow AWS's viewing-device guidance (8-9 for the big screen, 7 for laptops and tablets, 6 for phones):
 * the rungs a TV or laptop picks get 8-9, the small rungs that only constrained networks fall back to get 7 and 6.
 * Consecutive caps differ by 1.7-2x (2.5x up to UHD), the spacing at which an ABR step is a visible change and the
 * next rung down still fits when throughput halves; bits per pixel rise slightly down the ladder because small
 * pictures compress worse, and UHD needs fewer (15 Mbps is also the 2160p cap of AWS's VOD solution). The DASH
 * @bandwidth advertises the cap (MpdManifestBandwidthType MAX), and HrdBufferSize is 2 s of it (one GOP), which
 * bounds bursts so that the advertised bandwidth is honest. Single-pass HQ: multi-pass HQ incurs MediaConvert's
 * pro-tier pricing and about twice the encode time (it would also allow a MaxAverageBitrate).
 * 60 fps sources keep these caps: QVBR then trades a little quality on the busiest scenes for a predictable ladder.
 *
 * ## GOPs and segments: every rung cuts at the same instants
 * GopSize 2 SECONDS with GopClosedCadence 1 makes every GOP closed and starts one every 2 s in every rung, whatever
 * its size (2 s becomes a whole number of frames at the output rate, which every rung shares); CMAF segments are
 * 6 s (SegmentLengthControl GOP_MULTIPLE: exactly 3 GOPs, never an extra I-frame) and fragments 2 s, so every
 * segment of every rung starts with an IDR at the same presentation time and a player can switch at any boundary.
 * The GOP is given explicitly (AWS suggests GOP mode Auto for ABR groups) because the local runtime encodes with
 * ffmpeg from these same settings and must cut at the same instants.
 * SceneChangeDetect TRANSITION_DETECTION (AWS's recommendation with QVBR) adds I-frames at cuts and fades, which
 * is where quality drops most; MinIInterval 0 tells the encoder those are plain I-frames that never move or replace
 * a cadence IDR, so the 2 s grid and therefore segment alignment are the same in every rung.
 * All frame rates follow the source (up to 60 fps; faster sources are reduced to an exact divisor, see
 * `outputFrameRate`), so the grid is identical across rungs. Sources are rotated by their metadata
 * (VideoSelector Rotate AUTO; MediaConvert does not rotate by default), converted to Rec. 709 with HDR tone
 * mapping (ColorSpaceConversion FORCE_709: phone HLG/HDR10 footage would otherwise look washed out in 8-bit H.264;
 * a no-op for SDR Rec. 709) and encoded with square pixels (ParControl 1:1) at exactly the computed size
 * (ScalingBehavior STRETCH_TO_OUTPUT: the size already has the source's aspect ratio to within one pixel, so this
 * never distorts visibly and never pads a one-pixel bar).
 *
 * ## Fitting a source to the ladder: see plan-renditions.ts
 *
 * ## Poster and trick play
 * The poster is a FRAME_CAPTURE JPEG (quality 80, long side at most 1280) at 1/5 fps with MaxCaptures 2: frame
 * 0 s and 5 s, named `poster.0000000.jpg` and `poster.0000001.jpg`. The COMPLETE event reports the last capture,
 * which is the 5 s frame (past fades from black and intro cards); a clip shorter than 5 s has only the first
 * frame, so the event reports `poster.0000000.jpg` and the poster is the opening frame.
 * Trick play is the CMAF group's image-based trick play (ADVANCED): one JPEG per 6 s segment, 320 px on its long
 * side (1x1 tiles, FOLLOW_SEGMENTATION), referenced from both manifests (EXT-X-IMAGE-STREAM-INF in HLS, an image
 * AdaptationSet in DASH). One image per segment is what MediaPackage needs to pass image playlists through: its
 * image segments must have the cadence of the video segments.
 *
 * ## Output layout (`OUTPUT_LAYOUT`, `outputLocations`)
 * `${destinationPrefix}cmaf/index.m3u8` (HLS multivariant playlist, the MediaPackage VOD source) and
 * `${destinationPrefix}cmaf/index.mpd` (DASH), with `index_<rung>.m3u8`, `index_audio.m3u8`, segments and
 * trick-play tiles beside them; `${destinationPrefix}poster/poster.000000N.jpg`.
 */
import type {
  CmafGroupSettings,
  H264Settings,
  Input,
  JobSettings,
  Output,
  OutputGroup,
} from '@aws-sdk/client-mediaconvert';
import type { Rendition, SourceMedia } from '../commons/types';
import publishCmafV1 from '../../templates/mediaconvert/publish-cmaf.v1.json';
import { InvalidJobRequest, InvalidJobTemplate } from './job-errors';
import {
  fitScale,
  MIN_SIDE,
  outputFrameRate,
  planRenditions,
  scaledSize,
  type PlannedRung,
  type Rung,
  type Size,
} from './plan-renditions';

export { InvalidJobRequest, InvalidJobTemplate } from './job-errors';
export { outputFrameRate } from './plan-renditions';

export const TEMPLATE_VERSION = 'publish-cmaf.v1';

export interface JobSettingsRequest {
  /** The parsed job template (`loadJobTemplate()`); it is cloned, never modified. */
  template: JobSettings;
  /** s3://bucket/key of the source. */
  sourceUri: string;
  /** s3://media-bucket/assets/{assetId}/{publishId}/ (ends with '/'). */
  destinationPrefix: string;
  media: SourceMedia;
}

export interface BuiltJob {
  settings: JobSettings;
  /** The video rungs encoded, top first, in the order of the CMAF group's video outputs. */
  renditions: Rendition[];
}

export const OUTPUT_LAYOUT = {
  cmafFolder: 'cmaf/',
  manifestBaseName: 'index',
  posterFolder: 'poster/',
  posterBaseName: 'poster',
} as const;

export interface OutputLocations {
  hlsManifest: string;
  dashManifest: string;
  /** The folder of the trick-play tiles (they sit beside the segments). */
  trickplay: string;
  /** The folder of the poster captures; the file is `poster.0000001.jpg`, or `.0000000.jpg` for clips under 5 s. */
  posterFolder: string;
}

/** Where a job built for `destinationPrefix` writes its manifests, trick-play tiles and poster. */
export function outputLocations(destinationPrefix: string): OutputLocations {
  const cmaf = `${destinationPrefix}${OUTPUT_LAYOUT.cmafFolder}`;
  return {
    hlsManifest: `${cmaf}${OUTPUT_LAYOUT.manifestBaseName}.m3u8`,
    dashManifest: `${cmaf}${OUTPUT_LAYOUT.manifestBaseName}.mpd`,
    trickplay: cmaf,
    posterFolder: `${destinationPrefix}${OUTPUT_LAYOUT.posterFolder}`,
  };
}

const POSTER_LONG_SIDE = 1280;
const THUMBNAIL_LONG_SIDE = 320;
const floorTo8 = (value: number): number => 8 * Math.floor(value / 8);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isJobSettings(value: unknown): value is JobSettings {
  return isRecord(value) && Array.isArray(value.Inputs) && Array.isArray(value.OutputGroups);
}

/** A fresh copy of the job template, so callers may keep it at module scope and share it. */
export function loadJobTemplate(): JobSettings {
  const template: unknown = structuredClone(publishCmafV1);
  if (!isJobSettings(template)) {
    throw new InvalidJobTemplate(`template ${TEMPLATE_VERSION} is not a JobSettings object`);
  }
  return template;
}

function sourceSize(media: SourceMedia): Size {
  const { width, height } = media;
  if (!Number.isFinite(width) || !Number.isFinite(height) || width < MIN_SIDE || height < MIN_SIDE) {
    throw new InvalidJobRequest(
      `source picture ${width}x${height} cannot be encoded: both sides must be at least ${MIN_SIDE} pixels`,
    );
  }
  return { width, height };
}

function assertLocations(request: JobSettingsRequest): void {
  if (!/^s3:\/\/[^/]+\/(?:.*[^/])$/.test(request.sourceUri) || request.sourceUri.length > 2048) {
    throw new InvalidJobRequest(`sourceUri must be s3://bucket/key, got "${request.sourceUri}"`);
  }
  if (!/^s3:\/\/[^/]+\/(?:[^/]+\/)*$/.test(request.destinationPrefix)) {
    throw new InvalidJobRequest(
      `destinationPrefix must be s3://bucket/path/ ending in '/', got "${request.destinationPrefix}"`,
    );
  }
}

function outputGroupOfType(settings: JobSettings, type: string, label: string): OutputGroup {
  const groups = (settings.OutputGroups ?? []).filter((group) => group.OutputGroupSettings?.Type === type);
  const [group] = groups;
  if (!group || groups.length > 1) {
    throw new InvalidJobTemplate(`template ${TEMPLATE_VERSION} must have exactly one ${label} output group`);
  }
  return group;
}

function cmafSettingsOf(group: OutputGroup): CmafGroupSettings {
  const cmaf = group.OutputGroupSettings?.CmafGroupSettings;
  if (!cmaf) throw new InvalidJobTemplate(`template ${TEMPLATE_VERSION}: the CMAF group has no CmafGroupSettings`);
  return cmaf;
}

function h264Of(output: Output): H264Settings | undefined {
  return output.VideoDescription?.CodecSettings?.H264Settings;
}

function readRung(output: Output): Rung {
  const name = /^_(\d+p)$/.exec(output.NameModifier ?? '')?.[1];
  const width = output.VideoDescription?.Width;
  const height = output.VideoDescription?.Height;
  const maxBitrate = h264Of(output)?.MaxBitrate;
  if (!name || !width || !height || width < height || !maxBitrate) {
    throw new InvalidJobTemplate(
      `template ${TEMPLATE_VERSION}: video output "${output.NameModifier ?? ''}" needs NameModifier _<rung>, ` +
        'a landscape Width/Height and an H.264 MaxBitrate',
    );
  }
  return { name, box: { width, height }, maxBitrate, output };
}

/** The ladder as the template defines it, checked to run strictly downwards in size and bitrate. */
function readLadder(outputs: Output[]): Rung[] {
  const ladder = outputs.filter((output) => output.VideoDescription).map(readRung);
  if (ladder.length === 0) throw new InvalidJobTemplate(`template ${TEMPLATE_VERSION}: the CMAF group has no video`);
  ladder.forEach((rung, index) => {
    const next = ladder[index + 1];
    if (next && (next.box.height >= rung.box.height || next.maxBitrate >= rung.maxBitrate)) {
      throw new InvalidJobTemplate(
        `template ${TEMPLATE_VERSION}: rung ${next.name} must be smaller and cheaper than ${rung.name}, top first`,
      );
    }
  });
  return ladder;
}

function singleInput(settings: JobSettings): Input {
  const [input, ...others] = settings.Inputs ?? [];
  if (!input || others.length > 0) throw new InvalidJobTemplate(`template ${TEMPLATE_VERSION} must have one input`);
  return input;
}

/** The rung's output (in the cloned settings) at its planned size and, if forced, frame rate. */
function fittedVideoOutput({ rung, size }: PlannedRung, frameRate: ReturnType<typeof outputFrameRate>): Output {
  const { output } = rung;
  output.VideoDescription = { ...output.VideoDescription, Width: size.width, Height: size.height };
  const h264 = h264Of(output);
  if (h264 && frameRate) {
    h264.FramerateControl = 'SPECIFIED';
    h264.FramerateNumerator = frameRate.numerator;
    h264.FramerateDenominator = frameRate.denominator;
  }
  return output;
}

function withoutAudio(output: Output): Output {
  const cmfc = output.ContainerSettings?.CmfcSettings;
  if (cmfc) delete cmfc.AudioRenditionSets;
  return output;
}

function fitTrickPlay(cmaf: CmafGroupSettings, source: Size): void {
  const thumbnails = cmaf.ImageBasedTrickPlaySettings;
  if (!thumbnails) return;
  // Same long side for landscape and portrait thumbnails; MediaConvert derives the height from the aspect ratio.
  const width = floorTo8(
    Math.min(THUMBNAIL_LONG_SIDE, (THUMBNAIL_LONG_SIDE * source.width) / source.height, source.width),
  );
  thumbnails.ThumbnailWidth = Math.max(8, width);
}

function fitPoster(group: OutputGroup, source: Size, destination: string): void {
  const output = group.Outputs?.find(
    (candidate) => candidate.VideoDescription?.CodecSettings?.Codec === 'FRAME_CAPTURE',
  );
  const fileGroup = group.OutputGroupSettings?.FileGroupSettings;
  if (!output?.VideoDescription || !fileGroup) {
    throw new InvalidJobTemplate(`template ${TEMPLATE_VERSION}: the file group must hold a FRAME_CAPTURE output`);
  }
  const size = scaledSize(source, fitScale(source, { width: POSTER_LONG_SIDE, height: POSTER_LONG_SIDE }));
  output.VideoDescription.Width = size.width;
  output.VideoDescription.Height = size.height;
  fileGroup.Destination = destination;
}

/** Builds the job settings for one source from the template; see the module comment for every rule. */
export function buildJobSettings(request: JobSettingsRequest): BuiltJob {
  const source = sourceSize(request.media);
  assertLocations(request);
  if (!isJobSettings(request.template)) throw new InvalidJobTemplate(`template ${TEMPLATE_VERSION} is not JobSettings`);
  const settings = structuredClone(request.template);

  const input = singleInput(settings);
  const cmafGroup = outputGroupOfType(settings, 'CMAF_GROUP_SETTINGS', 'CMAF');
  const posterGroup = outputGroupOfType(settings, 'FILE_GROUP_SETTINGS', 'file (poster)');
  const cmaf = cmafSettingsOf(cmafGroup);
  const outputs = cmafGroup.Outputs ?? [];
  const ladder = readLadder(outputs);
  const otherOutputs = outputs.filter((output) => !output.VideoDescription);

  const planned = planRenditions(ladder, source);
  const frameRate = outputFrameRate(request.media.frameRate);
  const videoOutputs = planned.map((rung) => fittedVideoOutput(rung, frameRate));
  if (request.media.hasAudio) {
    cmafGroup.Outputs = [...videoOutputs, ...otherOutputs];
  } else {
    // An audio output with nothing to read fails the job; without it no rendition group may be referenced.
    cmafGroup.Outputs = [...videoOutputs.map(withoutAudio), ...otherOutputs.filter((o) => !o.AudioDescriptions)];
    delete input.AudioSelectors;
  }

  input.FileInput = request.sourceUri;
  // A base name in the destination makes the file names independent of the uploaded file's name.
  const { destinationPrefix } = request;
  cmaf.Destination = `${destinationPrefix}${OUTPUT_LAYOUT.cmafFolder}${OUTPUT_LAYOUT.manifestBaseName}`;
  fitTrickPlay(cmaf, source);
  fitPoster(posterGroup, source, `${destinationPrefix}${OUTPUT_LAYOUT.posterFolder}${OUTPUT_LAYOUT.posterBaseName}`);

  const renditions = planned.map(({ rung, size }) => ({
    name: rung.name,
    width: size.width,
    height: size.height,
    maxBitrate: rung.maxBitrate,
    codec: 'h264',
  }));
  return { settings, renditions };
}
