/**
 * Which rungs of the ladder to encode for one source, and at what size; and the frame rate to force, if any.
 * Pure geometry: plain sizes in, plain sizes out.
 *
 * ## Fitting a source to the ladder (`planRenditions`)
 * A rung is a box: 1920x1080 for 1080p, turned to 1080x1920 for portrait sources (taller than wide; square
 * counts as landscape), so portrait stays portrait. A rung's picture is the source scaled to fit its box, aspect
 * ratio kept, never upscaled, with even sides (each rounded to the nearest even number, never above the source).
 * 1. Every rung the source fills (as wide as the box or as tall as it) is encoded. For sources 16:9 or narrower,
 *    portrait included, that is "no rung taller than the source on its short side"; a wider source (2.39:1 at
 *    1920x800) is compared on its long side, so its top rung is 1920x800, not 1720x720.
 * 2. A source between two rungs also gets the rung just above it, at the source's own size, when it is nearer to
 *    that rung than to the one below (geometrically): 854x480 gets a 854x480 "540p" instead of topping out at
 *    640x360, and 1916x1076 keeps its "1080p". Not for 2160p: a UHD rung is made only from sources that fill it
 *    (UHD output is billed at the UHD rate), so 3200x1800 tops out at 1080p.
 * 3. The lowest rung is always encoded, at the source's own size when the source is smaller (a 320x240 clip gives
 *    one 320x240 "270p" rendition).
 * MediaConvert cannot encode a side under 32 pixels: a source under 32 px throws `InvalidJobRequest`, and a rung
 * that an extreme aspect ratio would shrink under 32 px is skipped.
 */
import type { Output } from '@aws-sdk/client-mediaconvert';
import { InvalidJobRequest } from './job-errors';

/** MediaConvert's smallest output side. */
export const MIN_SIDE = 32;
/** Rungs taller than this (on their box's short side) are UHD: made only from sources that fill them. */
const HD_MAX_LINES = 1080;
const MAX_FRAME_RATE = 60;

export interface Size {
  width: number;
  height: number;
}

/** One rung as the template defines it: its MP4 output and its landscape box. */
export interface Rung {
  name: string;
  box: Size;
  maxBitrate: number;
  output: Output;
}

export interface PlannedRung {
  rung: Rung;
  size: Size;
}

const evenNearest = (value: number): number => 2 * Math.round(value / 2);
const evenFloor = (value: number): number => 2 * Math.floor(value / 2);

export function isPortrait(source: Size): boolean {
  return source.height > source.width;
}

/** The rung's box turned like the source. */
export function orientedBox(box: Size, source: Size): Size {
  return isPortrait(source) ? { width: box.height, height: box.width } : box;
}

/** The factor that scales the source to fit `box` (above 1: the source is smaller than the box). */
export function fitScale(source: Size, box: Size): number {
  return Math.min(box.width / source.width, box.height / source.height);
}

/** The source scaled by `scale` (never above 1), with even sides that never exceed the source's. */
export function scaledSize(source: Size, scale: number): Size {
  const factor = Math.min(scale, 1);
  return {
    width: Math.min(evenNearest(source.width * factor), evenFloor(source.width)),
    height: Math.min(evenNearest(source.height * factor), evenFloor(source.height)),
  };
}

/** Which rungs to encode for `source`, top first, and at what size (the rules in the module comment). */
export function planRenditions(ladder: Rung[], source: Size): PlannedRung[] {
  const fits = ladder.map((rung) => ({ rung, scale: fitScale(source, orientedBox(rung.box, source)) }));
  const planned = fits
    .filter(({ rung, scale }, index) => {
      const below = fits[index + 1]?.scale;
      const fills = scale <= 1;
      const justAbove = below === undefined || below <= 1;
      const nearer = below === undefined || scale * below < 1;
      const mayTakeSourceSize = below === undefined || rung.box.height <= HD_MAX_LINES;
      return fills || (justAbove && nearer && mayTakeSourceSize);
    })
    .map(({ rung, scale }) => ({ rung, size: scaledSize(source, scale) }));
  const encodable = planned.filter(({ size }) => size.width >= MIN_SIDE && size.height >= MIN_SIDE);
  if (encodable.length === 0) {
    throw new InvalidJobRequest(
      `source ${source.width}x${source.height} has no rung with both sides of at least ${MIN_SIDE} pixels`,
    );
  }
  return encodable;
}

/**
 * The frame rate to force, or undefined to follow the source. Above 60 fps (phone slow motion at 120/240 fps)
 * the rate is divided by the smallest whole number that brings it to 60 or below, so frames are dropped evenly.
 */
export function outputFrameRate(sourceFps: number): { numerator: number; denominator: number } | undefined {
  // Variable-frame-rate phone clips probe a little above their nominal rate (60.02): that is still 60.
  if (!Number.isFinite(sourceFps) || sourceFps <= MAX_FRAME_RATE + 1) return undefined;
  const target = sourceFps / Math.ceil(sourceFps / MAX_FRAME_RATE);
  const near = (value: number): boolean => Math.abs(value - Math.round(value)) < 0.02;
  if (near(target)) return { numerator: Math.round(target), denominator: 1 };
  if (near(target * 1.001)) return { numerator: Math.round(target * 1.001) * 1000, denominator: 1001 };
  return { numerator: Math.round(target * 1000), denominator: 1000 };
}
