import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FfmpegBinaries } from '../../ffmpeg/locate-binaries';
import { probeMediaFile, type ProbedFile } from '../../ffmpeg/probe-media-file';
import { FfmpegFailed, runFfmpeg } from '../../ffmpeg/run-ffmpeg';
import type { ObjectStore } from '../../seam/object-store';
import {
  buildTranscodeArgs,
  cmafFileNames,
  thumbnailSize,
  type CmafFileNames,
  type SourceFacts,
} from './build-ffmpeg-args';
import { JobCanceled, JobFailed, ffmpegJobFailure, scrubPaths } from './job-failure';
import { readFfmpegManifest } from './read-ffmpeg-manifest';
import type { TranscodePlan, VideoRungPlan } from './read-job-plan';
import {
  bitrates,
  dashManifest,
  imagePlaylist,
  masterPlaylist,
  mediaPlaylist,
  segmentSeconds,
  thumbnailsWebVtt,
  totalSeconds,
  type CmafLadder,
  type EncodedAudio,
  type EncodedOutput,
  type EncodedRung,
  type EncodedThumbnails,
} from './write-manifests';

/** EventBridge's `outputGroupDetails` of a COMPLETE event, as transcode-callback reads them. */
export interface OutputGroupDetail {
  type: 'CMAF_GROUP' | 'FILE_GROUP';
  playlistFilePaths?: string[];
  outputDetails: {
    outputFilePaths?: string[];
    durationInMs?: number;
    videoDetails?: { widthInPx: number; heightInPx: number; averageBitrate?: number };
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

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.cmfv': 'video/mp4',
  '.cmfa': 'audio/mp4',
  '.jpg': 'image/jpeg',
  '.vtt': 'text/vtt',
};

function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
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
  if (context.plan.audio && !hasAudio) {
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

async function encodedOutput(
  workDir: string,
  names: CmafFileNames,
  output: { nameModifier: string },
  init: string,
): Promise<EncodedOutput> {
  const manifest = path.join(workDir, names.ffmpegManifest(output));
  const track = readFfmpegManifest(await readFile(manifest, 'utf8'));
  await rm(manifest, { force: true });
  const base = names.rungBase(output);
  const extension = path.extname(init);
  const segments = track.durations.map((_, index) => `${base}_${String(index + 1).padStart(5, '0')}${extension}`);
  const segmentBytes = await Promise.all(segments.map(async (file) => (await stat(path.join(workDir, file))).size));
  return { track, playlist: `${base}.m3u8`, init, segments, segmentBytes };
}

async function encodedThumbnails(
  context: TranscodeJobContext,
  names: CmafFileNames,
  top: EncodedRung,
): Promise<EncodedThumbnails | undefined> {
  const { trickPlay } = context.plan;
  if (!trickPlay) return undefined;
  const { width, height } = thumbnailSize(trickPlay, top.plan);
  const perTile = trickPlay.tileWidth * trickPlay.tileHeight;
  let start = top.track.start / top.track.timescale;
  const spans = segmentSeconds(top.track).map((duration) => {
    const span = { start, duration };
    start += duration;
    return span;
  });
  const wanted = Math.ceil(spans.length / perTile);
  const written = new Set(await readdir(context.workDir));
  const images: string[] = [];
  for (let number = 1; written.has(names.thumbnailName(number)); number += 1) {
    if (number <= wanted) images.push(names.thumbnailName(number));
    // One image per segment: an extra capture past the last segment boundary is dropped.
    else await rm(path.join(context.workDir, names.thumbnailName(number)), { force: true });
  }
  if (images.length === 0) return undefined;
  const base = context.plan.cmaf.destination.baseName;
  return {
    images,
    width,
    height,
    tileWidth: trickPlay.tileWidth,
    tileHeight: trickPlay.tileHeight,
    spans: spans.slice(0, images.length * perTile),
    playlist: `${base}_thumbnails.m3u8`,
    webVtt: `${base}_thumbnails.vtt`,
  };
}

function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * Runs one MediaConvert job locally: probe, one ffmpeg for every output, manifests written from what was encoded,
 * then every file moved into the object store (segments first, manifests last, so a reader never finds a manifest
 * naming a missing file). Returns the COMPLETE event's output group details.
 */
export async function runTranscodeJob(context: TranscodeJobContext): Promise<OutputGroupDetail[]> {
  const { plan, store, workDir, signal } = context;
  const sourceFile = store.filePath(plan.source.bucket, plan.source.key);
  const sourceUrl = s3Url(plan.source.bucket, plan.source.key);
  context.onProgress('PROBING', 0, 0);
  const source = await probeSource(context, sourceFile, sourceUrl);
  throwIfCanceled(signal);

  const names = cmafFileNames(plan);
  const posterFolder = path.join(workDir, 'poster');
  await mkdir(posterFolder, { recursive: true });
  const run = runFfmpeg(context.binaries.ffmpeg, buildTranscodeArgs(plan, source, sourceFile, names, posterFolder), {
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

  const rungs: EncodedRung[] = await Promise.all(
    plan.rungs.map(async (rung: VideoRungPlan) => ({
      plan: rung,
      ...(await encodedOutput(workDir, names, rung, names.videoInit(rung))),
    })),
  );
  const audio: EncodedAudio | undefined =
    plan.audio && source.hasAudio
      ? {
          plan: plan.audio,
          ...(await encodedOutput(workDir, names, plan.audio, names.audioInit(plan.audio))),
        }
      : undefined;
  const [top] = rungs;
  if (!top) throw new JobFailed(1999, 'the job encoded no video');
  const thumbnails = await encodedThumbnails(context, names, top);
  const ladder: CmafLadder = {
    rungs,
    ...(audio ? { audio } : {}),
    ...(thumbnails ? { thumbnails } : {}),
    segmentSeconds: plan.cmaf.segmentSeconds,
    minBufferMs: plan.cmaf.minBufferMs,
    bandwidthType: plan.cmaf.bandwidthType,
  };
  const base = plan.cmaf.destination.baseName;
  const manifests: [string, string][] = [
    ...[...rungs, ...(audio ? [audio] : [])].map((output): [string, string] => [
      output.playlist,
      mediaPlaylist(output),
    ]),
    ...(thumbnails
      ? [
          [thumbnails.playlist, imagePlaylist(thumbnails)] as [string, string],
          [thumbnails.webVtt, thumbnailsWebVtt(thumbnails)] as [string, string],
        ]
      : []),
    [`${base}.mpd`, dashManifest(ladder)],
    [`${base}.m3u8`, masterPlaylist(ladder)],
  ];
  await Promise.all(manifests.map(([name, body]) => writeFile(path.join(workDir, name), body)));

  const { bucket: cmafBucket, key: cmafPrefix } = plan.cmaf.destination;
  const media = [
    ...[...rungs, ...(audio ? [audio] : [])].flatMap((output) => [output.init, ...output.segments]),
    ...(thumbnails?.images ?? []),
  ];
  for (const name of [...media, ...manifests.map(([manifest]) => manifest)]) {
    throwIfCanceled(signal);
    await store.putFile(cmafBucket, `${cmafPrefix}${name}`, path.join(workDir, name), {
      move: true,
      contentType: contentTypeOf(name),
    });
  }
  const posterPaths = await uploadPosters(context, posterFolder);
  context.onProgress('UPLOADING', 100, 0);

  const durationInMs = Math.round(totalSeconds(top.track) * 1000);
  const cmafUrl = (name: string): string => s3Url(cmafBucket, `${cmafPrefix}${name}`);
  const groups: OutputGroupDetail[] = [
    {
      type: 'CMAF_GROUP',
      playlistFilePaths: [cmafUrl(`${base}.m3u8`), cmafUrl(`${base}.mpd`)],
      outputDetails: [
        ...rungs.map((rung) => ({
          outputFilePaths: [cmafUrl(rung.playlist)],
          durationInMs,
          videoDetails: {
            widthInPx: rung.track.width ?? rung.plan.width,
            heightInPx: rung.track.height ?? rung.plan.height,
            averageBitrate: bitrates(rung).average,
          },
        })),
        ...(audio ? [{ outputFilePaths: [cmafUrl(audio.playlist)], durationInMs }] : []),
        ...(thumbnails ? [{ outputFilePaths: [cmafUrl(thumbnails.playlist)], durationInMs }] : []),
      ],
    },
  ];
  if (plan.poster && posterPaths.length > 0) {
    groups.push({
      type: 'FILE_GROUP',
      // MediaConvert reports the last capture of a frame-capture output.
      outputDetails: [
        {
          outputFilePaths: posterPaths.slice(-1),
          durationInMs,
          videoDetails: { widthInPx: plan.poster.width, heightInPx: plan.poster.height },
        },
      ],
    });
  }
  return groups;
}

async function uploadPosters(context: TranscodeJobContext, posterFolder: string): Promise<string[]> {
  const { poster } = context.plan;
  if (!poster) return [];
  const files = (await readdir(posterFolder)).filter((file) => file.endsWith('.jpg')).sort();
  const uploaded: string[] = [];
  for (const file of files) {
    throwIfCanceled(context.signal);
    const key = `${poster.destination.key}${file}`;
    await context.store.putFile(poster.destination.bucket, key, path.join(posterFolder, file), {
      move: true,
      contentType: 'image/jpeg',
    });
    uploaded.push(s3Url(poster.destination.bucket, key));
  }
  return uploaded;
}
