import type { AudioPlan, GopPlan, PosterPlan, TranscodePlan, TrickPlayPlan, VideoRungPlan } from './read-job-plan';

/** What the transcode needs to know about the source before it starts. */
export interface SourceFacts {
  durationSeconds: number;
  /** Frames per second (e.g. 29.97). */
  frameRate: number;
  width: number;
  height: number;
  hasAudio: boolean;
}

/** The file names one job writes in its work folder (flat, as in the CMAF destination folder). */
export interface CmafFileNames {
  /** `index_1080p` */
  rungBase: (rung: { nameModifier: string }) => string;
  videoInit: (rung: { nameModifier: string }) => string;
  /** With ffmpeg's `$Number%05d$` template. */
  videoSegmentTemplate: (rung: { nameModifier: string }) => string;
  audioInit: (audio: AudioPlan) => string;
  audioSegmentTemplate: (audio: AudioPlan) => string;
  /** The MPD ffmpeg's dash muxer writes per output: read for the segment timeline, never published. */
  ffmpegManifest: (output: { nameModifier: string }) => string;
  thumbnailPattern: string;
  thumbnailName: (number: number) => string;
  /** `poster.%07d.jpg` */
  posterPattern: string;
}

export function cmafFileNames(plan: TranscodePlan): CmafFileNames {
  const base = plan.cmaf.destination.baseName;
  const rungBase = (rung: { nameModifier: string }): string => `${base}${rung.nameModifier}`;
  const pad = (number: number): string => String(number).padStart(5, '0');
  return {
    rungBase,
    videoInit: (rung) => `${rungBase(rung)}_init.cmfv`,
    videoSegmentTemplate: (rung) => `${rungBase(rung)}_$Number%05d$.cmfv`,
    audioInit: (audio) => `${rungBase(audio)}_init.cmfa`,
    audioSegmentTemplate: (audio) => `${rungBase(audio)}_$Number%05d$.cmfa`,
    ffmpegManifest: (output) => `${rungBase(output)}.ffmpeg.mpd`,
    thumbnailPattern: `${base}_thumbnails_%05d.jpg`,
    thumbnailName: (number) => `${base}_thumbnails_${pad(number)}.jpg`,
    posterPattern: `${plan.poster?.destination.baseName ?? 'poster'}.%07d.jpg`,
  };
}

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** The GOP in frames at the output rate, and in seconds (for the forced-keyframe grid). */
export function gopFrames(gop: GopPlan, frameRate: number): { frames: number; seconds: number } {
  if (gop.units === 'FRAMES') return { frames: Math.max(1, Math.round(gop.size)), seconds: gop.size / frameRate };
  return { frames: Math.max(1, Math.round(gop.size * frameRate)), seconds: gop.size };
}

export function outputFrameRate(rung: VideoRungPlan, source: SourceFacts): number {
  return rung.frameRate ? rung.frameRate.numerator / rung.frameRate.denominator : source.frameRate;
}

/** The filter chain that turns the decoded source into one rung's picture: rate, exact size, square pixels. */
export function rungFilter(rung: VideoRungPlan): string {
  const rate = rung.frameRate ? `fps=${rung.frameRate.numerator}/${rung.frameRate.denominator},` : '';
  return `${rate}scale=${rung.width}:${rung.height},setsar=1,format=yuv420p`;
}

/**
 * x264 arguments for one rung, from the rung's H.264 settings. Closed GOPs of a fixed length that start on the
 * same grid in every rung (`-g`/`-keyint_min`, `-force_key_frames`, `open-gop=0`), so every segment of every rung
 * starts with an IDR at the same instant. Scene-cut I-frames are left out (`-sc_threshold 0`): MediaConvert's
 * MinIInterval 0 adds them without moving the grid, a quality detail not worth the risk of an extra IDR here.
 * Preset veryfast: MediaConvert tunes for quality (SINGLE_PASS_HQ); locally a transcode should take about as long
 * as the clip, and veryfast is ~1.7x faster than medium at a small size cost.
 */
export function videoEncoderArgs(rung: VideoRungPlan, gop: GopPlan, frameRate: number): string[] {
  const { frames, seconds } = gopFrames(gop, frameRate);
  const { rate } = rung;
  const rateArgs =
    rate.crf !== undefined
      ? ['-crf', String(rate.crf), '-maxrate', String(rate.maxBitrate), '-bufsize', String(rate.bufferSize)]
      : [
          '-b:v',
          String(rate.bitrate ?? rate.maxBitrate),
          ...(rate.bitrate === rate.maxBitrate ? ['-minrate', String(rate.maxBitrate)] : []),
          '-maxrate',
          String(rate.maxBitrate),
          '-bufsize',
          String(rate.bufferSize),
        ];
  return [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    rung.profile,
    ...(rung.level ? ['-level:v', rung.level] : []),
    ...rateArgs,
    '-g',
    String(frames),
    '-keyint_min',
    String(frames),
    '-sc_threshold',
    '0',
    '-force_key_frames',
    `expr:gte(t,n_forced*${round3(seconds)})`,
    '-x264-params',
    'open-gop=0',
    '-color_primaries',
    'bt709',
    '-color_trc',
    'bt709',
    '-colorspace',
    'bt709',
  ];
}

export function audioEncoderArgs(audio: AudioPlan): string[] {
  return ['-c:a', 'aac', '-b:a', String(audio.bitrate), '-ar', String(audio.sampleRate), '-ac', String(audio.channels)];
}

function dashArgs(segmentSeconds: number, init: string, media: string): string[] {
  return [
    '-f',
    'dash',
    '-seg_duration',
    String(segmentSeconds),
    '-dash_segment_type',
    'mp4',
    '-use_template',
    '1',
    '-use_timeline',
    '1',
    '-init_seg_name',
    init,
    '-media_seg_name',
    media,
  ];
}

/** Selects the first frame of every `interval` seconds of source time (0 s, interval, 2 x interval...). */
function everyInterval(interval: number): string {
  const step = round3(interval);
  return `select='eq(n,0)+not(eq(floor(t/${step}),floor(prev_t/${step})))'`;
}

/** JPEG quality 1-100 to ffmpeg's mjpeg qscale (2 best, 31 worst). */
export function jpegQscale(quality: number): number {
  return Math.min(31, Math.max(2, Math.round(2 + ((100 - quality) * 29) / 99)));
}

export function thumbnailSize(trickPlay: TrickPlayPlan, top: VideoRungPlan): { width: number; height: number } {
  const width = Math.max(8, 2 * Math.round(trickPlay.thumbnailWidth / 2));
  return { width, height: Math.max(8, 2 * Math.round((width * top.height) / top.width / 2)) };
}

/**
 * One ffmpeg process for the whole job: the source is decoded once and `split` feeds every rung's scaler and
 * encoder, the trick-play thumbnails (one per segment) and the poster captures; the audio is encoded once into its
 * own CMAF output. Each rung is a dash-muxer output, which writes the fMP4 init segment and media segments; the
 * manifests are written afterwards from what was encoded.
 */
export function buildTranscodeArgs(
  plan: TranscodePlan,
  source: SourceFacts,
  sourceFile: string,
  names: CmafFileNames,
  posterFolder: string,
): string[] {
  const { rungs, trickPlay, poster } = plan;
  const branches = rungs.length + (trickPlay ? 1 : 0) + (poster ? 1 : 0);
  const labels = Array.from({ length: branches }, (_, index) => `[s${index}]`);
  const filters = [`[0:v:0]split=${branches}${labels.join('')}`];
  rungs.forEach((rung, index) => filters.push(`[s${index}]${rungFilter(rung)}[v${index}]`));
  let branch = rungs.length;
  const [top] = rungs;
  const outputs: string[] = [];
  rungs.forEach((rung, index) => {
    outputs.push(
      '-map',
      `[v${index}]`,
      ...videoEncoderArgs(rung, plan.cmaf.gop, outputFrameRate(rung, source)),
      '-map_metadata',
      '-1',
      ...dashArgs(plan.cmaf.segmentSeconds, names.videoInit(rung), names.videoSegmentTemplate(rung)),
      names.ffmpegManifest(rung),
    );
  });
  if (plan.audio && source.hasAudio) {
    outputs.push(
      '-map',
      '0:a:0',
      ...audioEncoderArgs(plan.audio),
      '-map_metadata',
      '-1',
      ...dashArgs(plan.cmaf.segmentSeconds, names.audioInit(plan.audio), names.audioSegmentTemplate(plan.audio)),
      names.ffmpegManifest(plan.audio),
    );
  }
  if (trickPlay && top) {
    const { width, height } = thumbnailSize(trickPlay, top);
    const tiles =
      trickPlay.tileWidth * trickPlay.tileHeight > 1 ? `,tile=${trickPlay.tileWidth}x${trickPlay.tileHeight}` : '';
    filters.push(
      `[s${branch}]${everyInterval(plan.cmaf.segmentSeconds)},scale=${width}:${height},setsar=1${tiles}[thumbs]`,
    );
    branch += 1;
    outputs.push(
      '-map',
      '[thumbs]',
      '-q:v',
      '5',
      '-vsync',
      'passthrough',
      '-start_number',
      '1',
      '-f',
      'image2',
      names.thumbnailPattern,
    );
  }
  if (poster) {
    filters.push(
      `[s${branch}]${everyInterval(poster.intervalSeconds)},scale=${poster.width}:${poster.height},setsar=1[poster]`,
    );
    outputs.push(...posterOutputArgs(poster, `${posterFolder}/${names.posterPattern}`));
  }
  return ['-y', '-i', sourceFile, '-filter_complex', filters.join(';'), ...outputs];
}

function posterOutputArgs(poster: PosterPlan, pattern: string): string[] {
  return [
    '-map',
    '[poster]',
    '-frames:v',
    String(poster.maxCaptures),
    '-q:v',
    String(jpegQscale(poster.quality)),
    '-vsync',
    'passthrough',
    '-start_number',
    '0',
    '-f',
    'image2',
    pattern,
  ];
}
