import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FfmpegNotFound, locateFfmpegBinaries } from '../../../local/ffmpeg/locate-binaries';

describe('locating ffmpeg and ffprobe', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'vodflow-binaries-'));
    for (const tool of ['ffmpeg', 'ffprobe']) {
      await writeFile(path.join(folder, tool), '#!/bin/sh\nexit 0\n');
      await chmod(path.join(folder, tool), 0o755);
    }
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('prefers FFMPEG_PATH and FFPROBE_PATH', () => {
    const env = { FFMPEG_PATH: path.join(folder, 'ffmpeg'), FFPROBE_PATH: path.join(folder, 'ffprobe'), PATH: '' };

    expect(locateFfmpegBinaries(env)).toEqual({ ffmpeg: env.FFMPEG_PATH, ffprobe: env.FFPROBE_PATH });
  });

  it('falls back to the npm installer packages', () => {
    const found = locateFfmpegBinaries({ PATH: '' });

    expect(found.ffmpeg).toMatch(/node_modules\/@ffmpeg-installer\/[\w-]+\/ffmpeg$/);
    expect(found.ffprobe).toMatch(/node_modules\/@ffprobe-installer\/[\w-]+\/ffprobe$/);
  });

  it('never silently replaces an explicit FFMPEG_PATH that does not work', () => {
    const locate = (): unknown => locateFfmpegBinaries({ FFMPEG_PATH: path.join(folder, 'missing-ffmpeg') });

    expect(locate).toThrow(FfmpegNotFound);
    expect(locate).toThrow(`FFMPEG_PATH=${path.join(folder, 'missing-ffmpeg')} is not an executable file`);
  });
});
