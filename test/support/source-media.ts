import type { SourceMedia } from '../../functions/commons/types';

/** A probed source of the given displayed size; the rest as a typical phone or camera upload. */
export const sourceMedia = (width: number, height: number, overrides: Partial<SourceMedia> = {}): SourceMedia => ({
  durationSeconds: 95.4,
  width,
  height,
  frameRate: 29.97,
  videoCodec: 'AVC',
  hasAudio: true,
  audioCodec: 'AAC',
  container: 'mp4',
  ...overrides,
});
