import type { AudioPlan, FrameCapturePlan, GopPlan, Mp4OutputPlan, TranscodePlan } from './read-job-plan';

/** What the transcode needs to know about the source before it starts. */
export interface SourceFacts {
  durationSeconds: number;
  /** Frames per second (e.g. 29.97). */
  frameRate: number;
  width: number;
  height: number;
  hasAudio: boolean;
}

/** Where ffmpeg writes one output in the job's work folder (flat file names). */
export interface WorkFiles {
  /** The MP4 file of an output. */
  mp4: (output: Mp4OutputPlan) => string;
  /** The image2 pattern of a frame capture output (`index_poster.%07d.jpg`). */
  capturePattern: (output: FrameCapturePlan) => string;
}

const fileNameOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

export const WORK_FILES: WorkFiles = {
  mp4: (output) => fileNameOf(output.destination.key),
  capturePattern: (output) => `${fileNameOf(output.destination.key)}.%07d.jpg`,
};

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** The GOP in frames at the output rate, and in seconds (for the forced-keyframe grid). */
export function gopFrames(gop: GopPlan, frameRate: number): { frames: number; seconds: number } {
  if (gop.units === 'FRAMES') return { frames: Math.max(1, Math.round(gop.size)), seconds: gop.size / frameRate };
  return { frames: Math.max(1, Math.round(gop.size * frameRate)), seconds: gop.size };
}

export function outputFrameRate(output: Mp4OutputPlan, source: SourceFacts): number {
  return output.frameRate ? output.frameRate.numerator / output.frameRate.denominator : source.frameRate;
}

/** The filter chain that turns the decoded source into one output's picture: rate, exact size, square pixels. */
export function rungFilter(output: Mp4OutputPlan): string {
  const rate = output.frameRate ? `fps=${output.frameRate.numerator}/${output.frameRate.denominator},` : '';
  return `${rate}scale=${output.width}:${output.height},setsar=1,format=yuv420p`;
}

/**
 * x264 arguments for one output, from its H.264 settings. Closed GOPs of a fixed length that start on the same grid
 * in every output (`-g`/`-keyint_min`, `-force_key_frames`, `open-gop=0`), so every rung has an IDR at the same
 * instants and MediaPackage can cut aligned segments from any of them. Scene-cut I-frames are left out
 * (`-sc_threshold 0`): MediaConvert's MinIInterval 0 adds them without moving the grid, a quality detail not worth
 * the risk of an extra IDR here. Preset veryfast: locally a transcode should take about as long as the clip.
 */
export function videoEncoderArgs(output: Mp4OutputPlan, frameRate: number): string[] {
  const { frames, seconds } = gopFrames(output.gop, frameRate);
  const { rate } = output;
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
    output.profile,
    ...(output.level ? ['-level:v', output.level] : []),
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

/** Selects the first frame of every `interval` seconds of source time (0 s, interval, 2 x interval...). */
function everyInterval(interval: number): string {
  const step = round3(interval);
  return `select='eq(n,0)+not(eq(floor(t/${step}),floor(prev_t/${step})))'`;
}

/** JPEG quality 1-100 to ffmpeg's mjpeg qscale (2 best, 31 worst). */
export function jpegQscale(quality: number): number {
  return Math.min(31, Math.max(2, Math.round(2 + ((100 - quality) * 29) / 99)));
}

function mp4OutputArgs(output: Mp4OutputPlan, label: string, source: SourceFacts, files: WorkFiles): string[] {
  return [
    '-map',
    label,
    ...videoEncoderArgs(output, outputFrameRate(output, source)),
    ...(output.audio && source.hasAudio ? ['-map', '0:a:0', ...audioEncoderArgs(output.audio)] : []),
    '-map_metadata',
    '-1',
    // The mp4 muxer writes one moov and one mdat (no fragments); faststart moves the moov before the mdat.
    ...(output.moovFirst ? ['-movflags', '+faststart'] : []),
    '-f',
    'mp4',
    files.mp4(output),
  ];
}

function captureOutputArgs(output: FrameCapturePlan, label: string, files: WorkFiles): string[] {
  return [
    '-map',
    label,
    '-frames:v',
    String(output.maxCaptures),
    '-q:v',
    String(jpegQscale(output.quality)),
    '-vsync',
    'passthrough',
    '-start_number',
    '0',
    '-f',
    'image2',
    files.capturePattern(output),
  ];
}

/**
 * One ffmpeg process for the whole job: the source is decoded once and `split` feeds every output's scaler and
 * encoder (MP4 renditions and frame captures); each MP4 output encodes its own copy of the audio, as MediaConvert
 * does for muxed outputs.
 */
export function buildTranscodeArgs(
  plan: TranscodePlan,
  source: SourceFacts,
  sourceFile: string,
  files: WorkFiles = WORK_FILES,
): string[] {
  const outputs = plan.groups.flat();
  const labels = outputs.map((_, index) => `[s${index}]`);
  const filters = [`[0:v:0]split=${outputs.length}${labels.join('')}`];
  const args: string[] = [];
  outputs.forEach((output, index) => {
    const label = `[o${index}]`;
    if (output.kind === 'mp4') {
      filters.push(`[s${index}]${rungFilter(output)}${label}`);
      args.push(...mp4OutputArgs(output, label, source, files));
    } else {
      const picture = `scale=${output.width}:${output.height},setsar=1`;
      filters.push(`[s${index}]${everyInterval(output.intervalSeconds)},${picture}${label}`);
      args.push(...captureOutputArgs(output, label, files));
    }
  });
  return ['-y', '-i', sourceFile, '-filter_complex', filters.join(';'), ...args];
}
