import { open } from 'node:fs/promises';
import { locateFfmpegBinaries } from '../../local/ffmpeg/locate-binaries';
import { runFfprobeJson } from '../../local/ffmpeg/run-ffmpeg';

/**
 * What a test needs to know about a non-fragmented MP4 file: its top-level ISO BMFF boxes (ISO/IEC 14496-12: each
 * box starts with a 32-bit size and a 4-character type; size 1 means a 64-bit size follows, 0 means "to the end"),
 * and the presentation times of its video keyframes.
 */

/** The types of the top-level boxes, in file order: `['ftyp', 'moov', 'mdat']` for a faststart MP4. */
export async function topLevelBoxes(file: string): Promise<string[]> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const boxes: string[] = [];
    const header = Buffer.alloc(16);
    for (let offset = 0; offset + 8 <= fileSize;) {
      await handle.read(header, 0, 16, offset);
      const size32 = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      const size = size32 === 1 ? Number(header.readBigUInt64BE(8)) : size32 === 0 ? fileSize - offset : size32;
      if (size < 8) throw new Error(`box ${type} at ${offset} has an impossible size ${size}`);
      boxes.push(type);
      offset += size;
    }
    return boxes;
  } finally {
    await handle.close();
  }
}

/** Presentation times (seconds) of the keyframes of the file's first video stream. */
export async function videoKeyframes(file: string): Promise<number[]> {
  const output = await runFfprobeJson(locateFfmpegBinaries().ffprobe, [
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts_time,flags',
    '-show_packets',
    file,
  ]);
  const packets = (output as { packets?: { pts_time?: string; flags?: string }[] }).packets ?? [];
  return packets
    .filter((packet) => packet.flags?.includes('K'))
    .map((packet) => Number(packet.pts_time))
    .sort((a, b) => a - b);
}
