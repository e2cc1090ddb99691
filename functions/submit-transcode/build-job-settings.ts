/**
 * Fits the versioned MediaConvert job template (templates/mediaconvert/publish-mp4.v1.json) to one source: which
 * rungs of the ladder to encode and at what size, where the outputs go, and what to drop when the source has no
 * audio. Pure: plain data in, plain data out; the template object passed in is never modified.
 *
 * ## What the job writes, and why MP4
 * MediaPackage VOD ingests HLS with TS segments, or non-fragmented MP4 files listed in a .smil manifest
 * (docs.aws.amazon.com/mediapackage/latest/ug/supported-inputs-vod.html, supported-inputs-vod-smil.html); CMAF
 * (fMP4) HLS is not a documented VOD input. So the ladder is a file group of MP4 outputs, one file per rung with the
 * H.264 video and the AAC audio muxed in, the moov box first (Mp4Settings MoovPlacement PROGRESSIVE_DOWNLOAD:
 * docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html#jobs-model-mp4settings) so the same files serve
 * downloads; register-asset lists them in the .smil. Automated ABR exists only for streaming output groups
 * (mediaconvert/latest/ug/feature-restrictions-for-automated-abr.html), hence the ladder below.
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
 * Audio: AAC-LC stereo, 128 kbps CBR, 48 kHz, in every MP4 (a download must have sound); the .smil takes it from
 * one rendition only, so players see one audio track.
 *
 * Why these numbers. QVBR spends what each scene needs to reach the quality level and never more than MaxBitrate
 * (H264QvbrSettings: docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html#jobs-model-h264qvbrsettings),
 * so the caps are the bandwidth a player must budget, not the typical rate (talking heads land far below them).
 * The levels follow AWS's viewing-device guidance (8-9 for the big screen, 7 for laptops and tablets, 6 for phones):
 * the rungs a TV or laptop picks get 8-9, the small rungs that only constrained networks fall back to get 7 and 6.
 * Consecutive caps differ by 1.7-2x (2.5x up to UHD), the spacing at which an ABR step is a visible change and the
 * next rung down still fits when throughput halves; bits per pixel rise slightly down the ladder because small
 * pictures compress worse, and UHD needs fewer (15 Mbps is also the 2160p cap of AWS's VOD solution).
 * HrdBufferSize is 2 s of the cap (one GOP), which bounds bursts so that the advertised bandwidth is honest.
 * Single-pass HQ: multi-pass HQ incurs MediaConvert's pro-tier pricing and about twice the encode time.
 *
 * ## GOPs: every rung has an IDR at the same instants
 * GopSize 2 SECONDS with GopClosedCadence 1 makes every GOP closed and starts one every 2 s in every rung, whatever
 * its size (2 s becomes a whole number of frames at the output rate, which every rung shares), so MediaPackage can
 * cut segments of any whole number of GOPs (the packaging configurations use 6 s) at the same presentation time in
 * every rung, and a player can switch at any boundary. SceneChangeDetect TRANSITION_DETECTION adds I-frames at cuts
 * and fades; MinIInterval 0 keeps them from moving or replacing a cadence IDR ("MediaConvert will only create
 * IDR-frames at the start of your output's cadence-driven GOP", mediaconvert/latest/ug/video-quality.html), so the
 * 2 s grid is the same in every rung. All frame rates follow the source (up to 60 fps; faster sources are reduced
 * to an exact divisor, see `outputFrameRate`). Sources are rotated by their metadata (VideoSelector Rotate AUTO),
 * converted to Rec. 709 with HDR tone mapping (ColorSpaceConversion FORCE_709) and encoded with square pixels
 * (ParControl 1:1) at exactly the computed size (ScalingBehavior STRETCH_TO_OUTPUT: the size already has the
 * source's aspect ratio to within one pixel).
 *
 * ## Fitting a source to the ladder: see plan-renditions.ts
 *
 * ## Poster and trick play: frame captures
 * A second file group holds two FRAME_CAPTURE outputs (RAW container, no audio, JPEG): MediaConvert captures the
 * first frame, then one every FramerateDenominator/FramerateNumerator seconds, and names them
 * `<destination><NameModifier>.NNNNNNN.jpg` from 0 (mediaconvert/latest/ug/file-group-with-frame-capture-output.html).
 * - Poster: 1/5 fps, MaxCaptures 2, quality 80, long side at most 1280: frame 0 s and 5 s. The COMPLETE event
 *   reports the last capture, which is the 5 s frame (past fades from black); a clip shorter than 5 s has only the
 *   opening frame.
 * - Trick play: one capture every 6 s (the template's rate), 320 px on its long side. MediaConvert writes the JPEGs
 *   only; register-asset writes the WebVTT track over them from this cadence (`trickplay` in the result).
 * Frame-capture sides are at least 32 pixels (the VideoDescription Width/Height minimum in the API model).
 *
 * ## Output layout: functions/commons/output-layout.ts
 */
import type { H264Settings, Input, JobSettings, Output, OutputGroup } from '@aws-sdk/client-mediaconvert';
import { OUTPUT_LAYOUT, outputLocations } from '../commons/output-layout';
import type { Rendition, SourceMedia, TrickplayCaptures } from '../commons/types';
import publishMp4V1 from '../../templates/mediaconvert/publish-mp4.v1.json';
import { InvalidJobRequest, InvalidJobTemplate } from './job-errors';
import {
  fitScale,
  MIN_SIDE,
  planRenditions,
  scaledSize,
  outputFrameRate,
  type PlannedRung,
  type Rung,
  type Size,
} from './plan-renditions';

export { InvalidJobRequest, InvalidJobTemplate } from './job-errors';
export { outputFrameRate } from './plan-renditions';

export const TEMPLATE_VERSION = 'publish-mp4.v1';

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
  /** The video rungs encoded, top first, in the order of the MP4 group's outputs. */
  renditions: Rendition[];
  /** The trick-play capture cadence and size, for the WebVTT track written after the job. */
  trickplay: Omit<TrickplayCaptures, 'lastCapture'>;
}

const POSTER_LONG_SIDE = 1280;
const THUMBNAIL_LONG_SIDE = 320;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isJobSettings(value: unknown): value is JobSettings {
  return isRecord(value) && Array.isArray(value.Inputs) && Array.isArray(value.OutputGroups);
}

/** A fresh copy of the job template, so callers may keep it at module scope and share it. */
export function loadJobTemplate(): JobSettings {
  const template: unknown = structuredClone(publishMp4V1);
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

const isFrameCapture = (output: Output): boolean => output.VideoDescription?.CodecSettings?.Codec === 'FRAME_CAPTURE';
const isMp4 = (output: Output): boolean => output.ContainerSettings?.Container === 'MP4';

/** The one file group whose outputs all pass `belongs` (the MP4 ladder, or the frame captures). */
function fileGroupOf(settings: JobSettings, belongs: (output: Output) => boolean, label: string): OutputGroup {
  const groups = (settings.OutputGroups ?? []).filter(
    (group) =>
      group.OutputGroupSettings?.Type === 'FILE_GROUP_SETTINGS' &&
      (group.Outputs ?? []).length > 0 &&
      (group.Outputs ?? []).every(belongs),
  );
  const [group] = groups;
  if (!group?.OutputGroupSettings?.FileGroupSettings || groups.length > 1) {
    throw new InvalidJobTemplate(`template ${TEMPLATE_VERSION} must have exactly one file group of ${label}`);
  }
  return group;
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
      `template ${TEMPLATE_VERSION}: MP4 output "${output.NameModifier ?? ''}" needs NameModifier _<rung>, ` +
        'a landscape Width/Height and an H.264 MaxBitrate',
    );
  }
  return { name, box: { width, height }, maxBitrate, output };
}

/** The ladder as the template defines it, checked to run strictly downwards in size and bitrate. */
function readLadder(outputs: Output[]): Rung[] {
  const ladder = outputs.map(readRung);
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

/**
 * The source scaled to fit a square of `longSide` (never upscaled, even sides), kept at 32 px or more on its short
 * side where the source allows: a 4000x100 banner gets a 1280x32 poster, not 1280x32 rounded down to nothing.
 */
function captureSize(source: Size, longSide: number): Size {
  const fit = fitScale(source, { width: longSide, height: longSide });
  const floor = MIN_SIDE / Math.min(source.width, source.height);
  return scaledSize(source, Math.max(fit, floor));
}

/** Sets the frame-capture output's picture size (in the cloned settings); returns its capture interval in seconds. */
function fitCapture(group: OutputGroup, nameModifier: string, size: Size): number {
  const output = group.Outputs?.find((candidate) => candidate.NameModifier === nameModifier);
  const video = output?.VideoDescription;
  const rate = video?.CodecSettings?.FrameCaptureSettings;
  if (!output || !video || !rate) {
    throw new InvalidJobTemplate(`template ${TEMPLATE_VERSION}: no frame capture output ${nameModifier}`);
  }
  output.VideoDescription = { ...video, Width: size.width, Height: size.height };
  return (rate.FramerateDenominator ?? 1) / (rate.FramerateNumerator ?? 1);
}

/** Sizes the poster and the thumbnails for the source; returns the thumbnails' cadence and size. */
function fitCaptures(group: OutputGroup, source: Size): BuiltJob['trickplay'] {
  fitCapture(group, OUTPUT_LAYOUT.posterModifier, captureSize(source, POSTER_LONG_SIDE));
  const size = captureSize(source, THUMBNAIL_LONG_SIDE);
  const intervalSeconds = fitCapture(group, OUTPUT_LAYOUT.thumbnailsModifier, size);
  return { intervalSeconds, width: size.width, height: size.height };
}

/** Builds the job settings for one source from the template; see the module comment for every rule. */
export function buildJobSettings(request: JobSettingsRequest): BuiltJob {
  const source = sourceSize(request.media);
  assertLocations(request);
  if (!isJobSettings(request.template)) throw new InvalidJobTemplate(`template ${TEMPLATE_VERSION} is not JobSettings`);
  const settings = structuredClone(request.template);

  const input = singleInput(settings);
  const mp4Group = fileGroupOf(settings, isMp4, 'MP4 outputs');
  const imagesGroup = fileGroupOf(settings, isFrameCapture, 'frame captures');
  const ladder = readLadder(mp4Group.Outputs ?? []);

  const planned = planRenditions(ladder, source);
  const frameRate = outputFrameRate(request.media.frameRate);
  mp4Group.Outputs = planned.map((rung) => fittedVideoOutput(rung, frameRate));
  if (!request.media.hasAudio) {
    // An audio description with nothing to read fails the job: a silent source gives silent MP4s.
    for (const output of mp4Group.Outputs) delete output.AudioDescriptions;
    delete input.AudioSelectors;
  }

  input.FileInput = request.sourceUri;
  // A base name in the destination makes the file names independent of the uploaded file's name.
  const locations = outputLocations(request.destinationPrefix);
  const mp4Files = mp4Group.OutputGroupSettings?.FileGroupSettings;
  const imageFiles = imagesGroup.OutputGroupSettings?.FileGroupSettings;
  if (mp4Files) mp4Files.Destination = locations.mp4Destination;
  if (imageFiles) imageFiles.Destination = locations.imagesDestination;
  const trickplay = fitCaptures(imagesGroup, source);

  const renditions = planned.map(({ rung, size }) => ({
    name: rung.name,
    width: size.width,
    height: size.height,
    maxBitrate: rung.maxBitrate,
    codec: 'h264',
  }));
  return { settings, renditions, trickplay };
}
