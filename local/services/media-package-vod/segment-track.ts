import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from '../../ffmpeg/run-ffmpeg';
import { findBox, fragmentTiming, loadBox, mediaHeader, topLevelBoxes, trackExtendsDefaults } from './mp4-boxes';

export type SegmentContainer = 'ts' | 'fmp4';

export interface PackagedSegment {
  /** File name inside the configuration's folder. */
  file: string;
  /** Rounded to the 5 decimals HLS playlists state, so BANDWIDTH can be recomputed from them exactly. */
  seconds: number;
  bytes: number;
  /** fMP4 only: `tfdt` decode time and duration, in the track's timescale. */
  decodeTime?: number;
  duration?: number;
}

export interface PackagedTrack {
  /** Names the track's playlist and files (`video_1`, `audio_1_1`); the DASH Representation id. */
  key: string;
  container: SegmentContainer;
  /** fMP4 only: the initialization segment and the track's timescale. */
  init?: string;
  timescale?: number;
  segments: PackagedSegment[];
}

export interface SegmentRequest {
  ffmpeg: string;
  inputs: string[];
  /** ffmpeg stream specifiers of the inputs to keep (`0:v:0`, `1:a:0`), copied, never re-encoded. */
  streams: string[];
  container: SegmentContainer;
  segmentSeconds: number;
  /** Folder the files go to, and the prefix of their names (`index_video_1`). */
  folder: string;
  baseName: string;
  key: string;
  /** DASH `$Time$` templates: name each segment by its decode time instead of its number. */
  nameByTime?: boolean;
}

function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1e5) / 1e5;
}

interface PlaylistEntry {
  file: string;
  seconds: number;
}

/** The segments ffmpeg's hls muxer listed, in order. */
function playlistEntries(text: string): PlaylistEntry[] {
  const entries: PlaylistEntry[] = [];
  let seconds: number | undefined;
  for (const line of text.split(/\r?\n/)) {
    const extinf = /^#EXTINF:([\d.]+)/.exec(line);
    if (extinf?.[1]) seconds = Number(extinf[1]);
    else if (line !== '' && !line.startsWith('#') && seconds !== undefined) {
      entries.push({ file: line.trim(), seconds });
      seconds = undefined;
    }
  }
  return entries;
}

async function fragmentedTiming(folder: string, init: string, entries: PlaylistEntry[]) {
  const initFile = join(folder, init);
  const moovBox = (await topLevelBoxes(initFile)).find((box) => box.type === 'moov');
  if (!moovBox) throw new Error(`${init} has no moov box`);
  const { buffer, box: moov } = await loadBox(initFile, moovBox);
  const mdhd = findBox(buffer, moov, ['trak', 'mdia', 'mdhd']);
  if (!mdhd) throw new Error(`${init} has no mdhd box`);
  const { timescale } = mediaHeader(buffer, mdhd);
  const trex = trackExtendsDefaults(buffer, moov);
  const segments: PackagedSegment[] = [];
  for (const entry of entries) {
    const file = join(folder, entry.file);
    const boxes = await topLevelBoxes(file);
    let decodeTime: number | undefined;
    let duration = 0;
    for (const moofBox of boxes.filter((box) => box.type === 'moof')) {
      const loaded = await loadBox(file, moofBox);
      const timing = fragmentTiming(loaded.buffer, loaded.box, trex);
      decodeTime ??= timing.decodeTime;
      duration += timing.duration;
    }
    if (decodeTime === undefined) throw new Error(`${entry.file} has no moof box`);
    const bytes = boxes.reduce((sum, box) => sum + (box.end - box.start), 0);
    segments.push({ file: entry.file, seconds: roundSeconds(duration / timescale), bytes, decodeTime, duration });
  }
  return { timescale, segments };
}

/**
 * Cuts one track (or a video with its audio, for TS) of a progressive MP4 into segments with ffmpeg's hls muxer,
 * `-c copy`: no re-encode, cuts on the source's keyframes at the packaging configuration's segment length (so
 * segments are multiples of the source GOP, as MediaPackage rounds them). Returns each segment's real duration and
 * size, which the manifests state.
 */
export async function segmentTrack(request: SegmentRequest): Promise<PackagedTrack> {
  const { folder, baseName, container } = request;
  const playlist = `${baseName}.ffmpeg.m3u8`;
  const init = `${baseName}_init.mp4`;
  const args = [
    '-loglevel',
    'error',
    '-y',
    ...request.inputs.flatMap((input) => ['-i', input]),
    ...request.streams.flatMap((stream) => ['-map', stream]),
    '-c',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    String(request.segmentSeconds),
    '-hls_playlist_type',
    'vod',
    '-start_number',
    '1',
    ...(container === 'fmp4' ? ['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', init] : []),
    '-hls_segment_filename',
    `${baseName}_%d.${container === 'fmp4' ? 'm4s' : 'ts'}`,
    playlist,
  ];
  await runFfmpeg(request.ffmpeg, args, { cwd: folder }).done;
  const entries = playlistEntries(await readFile(join(folder, playlist), 'utf8'));
  await rm(join(folder, playlist), { force: true });
  if (entries.length === 0) throw new Error(`ffmpeg wrote no segments for ${request.key}`);
  if (container === 'ts') {
    const segments = await Promise.all(
      entries.map(async (entry) => ({
        file: entry.file,
        seconds: roundSeconds(entry.seconds),
        bytes: (await stat(join(folder, entry.file))).size,
      })),
    );
    return { key: request.key, container, segments };
  }
  const { timescale, segments } = await fragmentedTiming(folder, init, entries);
  if (request.nameByTime) {
    for (const segment of segments) {
      const named = `${baseName}_${String(segment.decodeTime)}.m4s`;
      await rename(join(folder, segment.file), join(folder, named));
      segment.file = named;
    }
  }
  return { key: request.key, container, init, timescale, segments };
}
