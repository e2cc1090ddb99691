import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FfmpegBinaries } from '../../ffmpeg/locate-binaries';
import { probeMediaFile, type ProbedFile } from '../../ffmpeg/probe-media-file';
import { FfmpegFailed, runFfmpeg } from '../../ffmpeg/run-ffmpeg';
import type { ObjectStore } from '../../seam/object-store';
import { buildTranscodeArgs, WORK_FILES, type SourceFacts } from './build-ffmpeg-args';
import { JobCanceled, JobFailed, ffmpegJobFailure, scrubPaths } from './job-failure';
import type { FrameCapturePlan, Mp4OutputPlan, OutputPlan, TranscodePlan } from './read-job-plan';

/**
 * EventBridge's `outputGroupDetails` of a COMPLETE event: per file group, per output, the file written (for a frame
 * capture, the last capture) with its duration and picture (mediaconvert/latest/ug/output-file-names-and-paths.html,
 * file-group.html, file-group-with-frame-capture-output.html).
 */
export interface OutputGroupDetail {
  type: 'FILE_GROUP';
  outputDetails: {
    outputFilePaths: string[];
    durationInMs: number;
    videoDetails: { widthInPx: number; heightInPx: number; averageBitrate?: number };
  }[];
}

export type JobPhase = 'PROBING' | 'TRANSCODING' | 'UPLOADING';

export interface TranscodeJobContext {
  jobId: string;
  plan: TranscodePlan;
  store: ObjectStore;
  binaries: FfmpegBinaries;
  /** This job's own folder; removed afterwards. */
  workDir: string;
  signal: AbortSignal;
  onProgress: (phase: JobPhase, percentComplete: number, framesDecoded: number) => void;
}

function throwIfCanceled(signal: AbortSignal): void {
  if (signal.aborted) throw new JobCanceled('the job was canceled');
}

function frameRateOf(rate: string | undefined): number {
  const [numerator, denominator] = (rate ?? '').split('/').map(Number);
  return numerator && denominator ? numerator / denominator : 0;
}

async function probeSource(context: TranscodeJobContext, sourceFile: string, sourceUrl: string): Promise<SourceFacts> {
  const { source } = context.plan;
  if (!(await context.store.head(source.bucket, source.key))) {
    throw new JobFailed(
      1010,
      `Unable to open input file [${sourceUrl}]: [Failed probe/open: [the object does not exist]]`,
    );
  }
  let probed: ProbedFile;
  try {
    probed = await probeMediaFile(context.binaries.ffprobe, sourceFile);
  } catch (error) {
    if (!(error instanceof FfmpegFailed)) throw error;
    const reason =
      scrubPaths(error.stderrTail || error.message, sourceFile, sourceUrl)
        .split('\n')
        .pop() ?? '';
    throw new JobFailed(1010, `Unable to open input file [${sourceUrl}]: [Failed probe/open: [${reason}]]`);
  }
  const video = probed.streams.find((stream) => stream.codecType === 'video' && !stream.attachedPicture);
  const hasAudio = probed.streams.some((stream) => stream.codecType === 'audio');
  if (!video?.width || !video.height) {
    throw new JobFailed(1010, `Unable to open input file [${sourceUrl}]: [Failed probe/open: [no video stream]]`);
  }
  if (context.plan.groups.flat().some((output) => output.kind === 'mp4' && output.audio) && !hasAudio) {
    // MediaConvert fails a job whose audio output has no audio to read (see build-job-settings.ts).
    throw new JobFailed(1040, `No audio track found in input [${sourceUrl}] for the audio output`);
  }
  return {
    durationSeconds: probed.duration ?? video.duration ?? 0,
    frameRate: frameRateOf(video.frameRate) || 30,
    width: video.width,
    height: video.height,
    hasAudio,
  };
}

function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

type OutputDetail = OutputGroupDetail['outputDetails'][number];

/** Moves one MP4 into the store and describes it as MediaConvert does: its path, duration, size and bitrate. */
async function publishMp4(context: TranscodeJobContext, output: Mp4OutputPlan): Promise<OutputDetail> {
  const file = path.join(context.workDir, WORK_FILES.mp4(output));
  const probed = await probeMediaFile(context.binaries.ffprobe, file);
  const video = probed.streams.find((stream) => stream.codecType === 'video');
  const seconds = probed.duration ?? video?.duration ?? 0;
  const { size } = await stat(file);
  const { bucket, key } = output.destination;
  await context.store.putFile(bucket, key, file, { move: true, contentType: 'video/mp4' });
  return {
    outputFilePaths: [s3Url(bucket, key)],
    durationInMs: Math.round(seconds * 1000),
    videoDetails: {
      widthInPx: video?.width ?? output.width,
      heightInPx: video?.height ?? output.height,
      averageBitrate: seconds > 0 ? Math.round((size * 8) / seconds) : 0,
    },
  };
}

/** Moves every capture of one output into the store; MediaConvert reports the last one. */
async function publishCaptures(
  context: TranscodeJobContext,
  output: FrameCapturePlan,
  durationInMs: number,
  written: string[],
): Promise<OutputDetail> {
  const prefix = output.destination.key.slice(output.destination.key.lastIndexOf('/') + 1);
  const captures = written.filter((file) => file.startsWith(`${prefix}.`) && /\.\d{7}\.jpg$/.test(file)).sort();
  const folder = output.destination.key.slice(0, output.destination.key.lastIndexOf('/') + 1);
  for (const file of captures) {
    throwIfCanceled(context.signal);
    await context.store.putFile(output.destination.bucket, `${folder}${file}`, path.join(context.workDir, file), {
      move: true,
      contentType: 'image/jpeg',
    });
  }
  const last = captures.at(-1);
  if (!last) throw new JobFailed(1999, `the frame capture output ${prefix} captured no frame`);
  return {
    outputFilePaths: [s3Url(output.destination.bucket, `${folder}${last}`)],
    durationInMs,
    videoDetails: { widthInPx: output.width, heightInPx: output.height },
  };
}

/**
 * Runs one MediaConvert job locally: probe, one ffmpeg for every output, then every file moved into the object
 * store. Returns the COMPLETE event's output group details, groups and outputs in the order of the settings.
 */
export async function runTranscodeJob(context: TranscodeJobContext): Promise<OutputGroupDetail[]> {
  const { plan, store, workDir, signal } = context;
  const sourceFile = store.filePath(plan.source.bucket, plan.source.key);
  const sourceUrl = s3Url(plan.source.bucket, plan.source.key);
  context.onProgress('PROBING', 0, 0);
  const source = await probeSource(context, sourceFile, sourceUrl);
  throwIfCanceled(signal);

  const run = runFfmpeg(context.binaries.ffmpeg, buildTranscodeArgs(plan, source, sourceFile), {
    cwd: workDir,
    onProgress: ({ outTimeSeconds, frame }) => {
      const fraction = source.durationSeconds > 0 ? Math.min(1, outTimeSeconds / source.durationSeconds) : 0;
      context.onProgress('TRANSCODING', Math.floor(fraction * 90), frame);
    },
  });
  const onAbort = (): void => {
    run.kill();
  };
  signal.addEventListener('abort', onAbort);
  try {
    await run.done;
  } catch (error) {
    throwIfCanceled(signal);
    throw error instanceof FfmpegFailed ? ffmpegJobFailure(error, sourceFile, sourceUrl) : error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  throwIfCanceled(signal);
  context.onProgress('UPLOADING', 90, 0);

  // MP4s first: the frame captures report the job's duration, which the MP4s measure.
  const mp4Details = new Map<OutputPlan, OutputDetail>();
  for (const output of plan.groups.flat()) {
    if (output.kind !== 'mp4') continue;
    throwIfCanceled(signal);
    mp4Details.set(output, await publishMp4(context, output));
  }
  const durationInMs = Math.max(0, ...[...mp4Details.values()].map((detail) => detail.durationInMs));
  const written = await readdir(workDir);
  const groups: OutputGroupDetail[] = [];
  for (const outputs of plan.groups) {
    const outputDetails: OutputDetail[] = [];
    for (const output of outputs) {
      const mp4 = mp4Details.get(output);
      if (mp4) outputDetails.push(mp4);
      else if (output.kind === 'frame-capture') {
        outputDetails.push(await publishCaptures(context, output, durationInMs, written));
      }
    }
    groups.push({ type: 'FILE_GROUP', outputDetails });
  }
  context.onProgress('UPLOADING', 100, 0);
  return groups;
}
