import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';

const run = promisify(execFile);

/**
 * Writes a tiny CMAF ladder into `dir`: 8 s of 320x180 H.264 + AAC as a DASH MPD (`manifest.mpd`) and HLS playlists
 * (`master.m3u8`) over the same fMP4 segments (2 s, closed GOPs), plus `poster.jpg`. About half a second of ffmpeg.
 */
export async function writeStreamingFixture(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const ffmpeg = process.env.FFMPEG_PATH ?? ffmpegInstaller.path;
  const source = [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
  ];
  await run(
    ffmpeg,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      ...source,
      '-t',
      '8',
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-profile:v',
      'high',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '50',
      '-keyint_min',
      '50',
      '-sc_threshold',
      '0',
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      '-ac',
      '2',
      '-f',
      'dash',
      '-seg_duration',
      '2',
      '-use_template',
      '1',
      '-use_timeline',
      '0',
      '-hls_playlist',
      '1',
      '-adaptation_sets',
      'id=0,streams=v id=1,streams=a',
      'manifest.mpd',
    ],
    { cwd: dir },
  );
  await run(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180',
    '-frames:v',
    '1',
    join(dir, 'poster.jpg'),
  ]);
}
