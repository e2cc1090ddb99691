/**
 * Test clips come from the same generator as local mode's sample video (lavfi testsrc2 + sine through ffmpeg):
 * a moving picture with a frame counter, so encoders have real work and every frame differs.
 */
export { generateClip, type ClipShape as ClipOptions } from '../../local/cli/sample-clip';

/** Landscape 16:9 with audio, portrait 9:16 with audio, and landscape without audio: the shapes uploads take. */
export const CLIP_SHAPES = {
  landscape: { width: 1280, height: 720 },
  portrait: { width: 360, height: 640 },
  silent: { width: 640, height: 360, audio: false },
} as const;
