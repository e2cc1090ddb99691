import { open } from 'node:fs/promises';

/**
 * Just enough of the ISO base media file format (ISO/IEC 14496-12) to tell a progressive MP4 from a fragmented one,
 * name each track's handler and codec, and time a CMAF segment. Boxes are read by their headers; only `moov` and
 * `moof` bodies are loaded, each bounded.
 */
export interface Box {
  type: string;
  /** Offset of the box's first header byte within the buffer or file it came from. */
  start: number;
  /** Offset of the first byte after the header (payload). */
  payload: number;
  end: number;
}

/** The file is not an ISO BMFF file, or one of its boxes is cut or out of bounds. */
export class MalformedMp4 extends Error {
  override readonly name = 'MalformedMp4';
}

/** The largest `moov` or `moof` this reader loads: far above what a rendition of a feature film needs. */
const MAX_LOADED_BOX_BYTES = 64 * 1024 * 1024;

function boxAt(buffer: Buffer, offset: number, end: number): Box {
  if (offset + 8 > end) throw new MalformedMp4(`box header cut at byte ${String(offset)}`);
  const size32 = buffer.readUInt32BE(offset);
  const type = buffer.toString('latin1', offset + 4, offset + 8);
  let size = size32;
  let header = 8;
  if (size32 === 1) {
    if (offset + 16 > end) throw new MalformedMp4(`large box header cut at byte ${String(offset)}`);
    size = Number(buffer.readBigUInt64BE(offset + 8));
    header = 16;
  } else if (size32 === 0) {
    size = end - offset;
  }
  if (size < header || offset + size > end) throw new MalformedMp4(`box ${type} at byte ${String(offset)} overruns`);
  return { type, start: offset, payload: offset + header, end: offset + size };
}

/** The boxes between `start` and `end` of a buffer (the payload of a container box, or a whole segment). */
export function childBoxes(buffer: Buffer, start = 0, end = buffer.length): Box[] {
  const boxes: Box[] = [];
  for (let offset = start; offset < end;) {
    const box = boxAt(buffer, offset, end);
    boxes.push(box);
    offset = box.end;
  }
  return boxes;
}

/** The first box found by following a path of types (`['mdia', 'minf', 'stbl', 'stsd']`) below a container. */
export function findBox(buffer: Buffer, container: Box, path: readonly string[]): Box | undefined {
  let current: Box | undefined = container;
  for (const type of path) {
    if (!current) return undefined;
    const parent: Box = current;
    current = childBoxes(buffer, parent.payload, parent.end).find((box) => box.type === type);
  }
  return current;
}

export function childrenOfType(buffer: Buffer, container: Box, type: string): Box[] {
  return childBoxes(buffer, container.payload, container.end).filter((box) => box.type === type);
}

/** The top-level boxes of a file, from their headers only. */
export async function topLevelBoxes(file: string): Promise<Box[]> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const header = Buffer.alloc(16);
    const boxes: Box[] = [];
    for (let offset = 0; offset < fileSize;) {
      const { bytesRead } = await handle.read(header, 0, 16, offset);
      if (bytesRead < 8) throw new MalformedMp4(`box header cut at byte ${String(offset)}`);
      const size32 = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (size32 === 1 && bytesRead < 16) throw new MalformedMp4(`large box header cut at byte ${String(offset)}`);
      const headerSize = size32 === 1 ? 16 : 8;
      const size = size32 === 0 ? fileSize - offset : size32 === 1 ? Number(header.readBigUInt64BE(8)) : size32;
      if (size < headerSize || offset + size > fileSize) {
        throw new MalformedMp4(`box ${type} at byte ${String(offset)} overruns the file`);
      }
      boxes.push({ type, start: offset, payload: offset + headerSize, end: offset + size });
      offset += size;
    }
    return boxes;
  } finally {
    await handle.close();
  }
}

/** Loads one top-level box (a `moov` or `moof`) into memory; the returned box's offsets are within the buffer. */
export async function loadBox(file: string, box: Box): Promise<{ buffer: Buffer; box: Box }> {
  const length = box.end - box.start;
  if (length > MAX_LOADED_BOX_BYTES) throw new MalformedMp4(`${box.type} box of ${String(length)} bytes is too large`);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, box.start);
    return { buffer, box: { type: box.type, start: 0, payload: box.payload - box.start, end: length } };
  } finally {
    await handle.close();
  }
}

/** Version and flags of a full box (the 4 bytes after its header). */
export function fullBoxHeader(buffer: Buffer, box: Box): { version: number; flags: number } {
  if (box.payload + 4 > box.end) throw new MalformedMp4(`${box.type} box too short`);
  return { version: buffer.readUInt8(box.payload), flags: buffer.readUIntBE(box.payload + 1, 3) };
}

function need(box: Box, offset: number, bytes: number): void {
  if (offset + bytes > box.end) throw new MalformedMp4(`${box.type} box too short`);
}

/** `hdlr` handler type: `vide`, `soun`, `text`, `subt`, ... */
export function handlerType(buffer: Buffer, hdlr: Box): string {
  need(hdlr, hdlr.payload, 12);
  return buffer.toString('latin1', hdlr.payload + 8, hdlr.payload + 12);
}

/** `mdhd`: the track's timescale, duration in that timescale and ISO-639-2 language. */
export function mediaHeader(buffer: Buffer, mdhd: Box): { timescale: number; duration: number; language: string } {
  const { version } = fullBoxHeader(buffer, mdhd);
  const at = mdhd.payload + 4 + (version === 1 ? 16 : 8);
  need(mdhd, at, version === 1 ? 14 : 10);
  const timescale = buffer.readUInt32BE(at);
  const duration = version === 1 ? Number(buffer.readBigUInt64BE(at + 4)) : buffer.readUInt32BE(at + 4);
  const packed = buffer.readUInt16BE(at + (version === 1 ? 12 : 8));
  const language = [10, 5, 0].map((shift) => String.fromCharCode(((packed >> shift) & 0x1f) + 0x60)).join('');
  return { timescale, duration, language };
}

/** Sample entry of `stsd` (its first entry): the codec's four-character code and the entry's own box. */
export function firstSampleEntry(buffer: Buffer, stsd: Box): Box {
  need(stsd, stsd.payload, 8);
  const entries = childBoxes(buffer, stsd.payload + 8, stsd.end);
  const first = entries[0];
  if (!first) throw new MalformedMp4('stsd has no sample entry');
  return first;
}

/** Bytes of a visual sample entry before its child boxes (ISO/IEC 14496-12 VisualSampleEntry). */
const VISUAL_SAMPLE_ENTRY_BYTES = 78;
/** Bytes of an audio sample entry (version 0) before its child boxes. */
const AUDIO_SAMPLE_ENTRY_BYTES = 28;

/** RFC 6381 codec string of an H.264 sample entry, from its `avcC` (`avc1.64001f`). */
export function avcCodecString(buffer: Buffer, entry: Box): string | undefined {
  const children = childBoxes(buffer, entry.payload + VISUAL_SAMPLE_ENTRY_BYTES, entry.end);
  const avcC = children.find((box) => box.type === 'avcC');
  if (!avcC) return undefined;
  need(avcC, avcC.payload, 4);
  const hex = [1, 2, 3].map((index) =>
    buffer
      .readUInt8(avcC.payload + index)
      .toString(16)
      .padStart(2, '0'),
  );
  return `${entry.type}.${hex.join('')}`;
}

/** An MPEG-4 descriptor's tag, payload start and payload end (sizes use 7 bits a byte, up to 4 bytes). */
function descriptorAt(buffer: Buffer, offset: number, end: number): { tag: number; payload: number; end: number } {
  if (offset + 2 > end) throw new MalformedMp4('esds descriptor cut');
  const tag = buffer.readUInt8(offset);
  let size = 0;
  let at = offset + 1;
  for (let count = 0; count < 4; count += 1) {
    if (at >= end) throw new MalformedMp4('esds descriptor size cut');
    const byte = buffer.readUInt8(at);
    at += 1;
    size = (size << 7) | (byte & 0x7f);
    if ((byte & 0x80) === 0) break;
  }
  if (at + size > end) throw new MalformedMp4('esds descriptor overruns');
  return { tag, payload: at, end: at + size };
}

/** RFC 6381 codec string of an MPEG-4 audio sample entry (`mp4a.40.2` for AAC-LC), from its `esds`. */
export function mp4aCodecString(buffer: Buffer, entry: Box): string | undefined {
  const children = childBoxes(buffer, entry.payload + AUDIO_SAMPLE_ENTRY_BYTES, entry.end);
  const esds = children.find((box) => box.type === 'esds');
  if (!esds) return undefined;
  const es = descriptorAt(buffer, esds.payload + 4, esds.end);
  if (es.tag !== 0x03) return undefined;
  const esFlags = buffer.readUInt8(es.payload + 2);
  let at = es.payload + 3;
  if (esFlags & 0x80) at += 2;
  if (esFlags & 0x40) at += 1 + buffer.readUInt8(at);
  if (esFlags & 0x20) at += 2;
  const decoderConfig = descriptorAt(buffer, at, es.end);
  if (decoderConfig.tag !== 0x04) return undefined;
  const objectType = buffer.readUInt8(decoderConfig.payload);
  const objectTypeHex = objectType.toString(16);
  if (objectType !== 0x40) return `mp4a.${objectTypeHex}`;
  const specificAt = decoderConfig.payload + 13;
  if (specificAt >= decoderConfig.end) return `mp4a.${objectTypeHex}`;
  const specific = descriptorAt(buffer, specificAt, decoderConfig.end);
  if (specific.tag !== 0x05 || specific.payload >= specific.end) return `mp4a.${objectTypeHex}`;
  let audioObjectType = buffer.readUInt8(specific.payload) >> 3;
  if (audioObjectType === 31 && specific.payload + 1 < specific.end) {
    audioObjectType =
      32 + (((buffer.readUInt8(specific.payload) & 0x07) << 3) | (buffer.readUInt8(specific.payload + 1) >> 5));
  }
  return `mp4a.40.${String(audioObjectType)}`;
}

/** `trex` defaults of an initialization segment's `mvex`, by track id: the sample duration a `trun` may omit. */
export function trackExtendsDefaults(buffer: Buffer, moov: Box): Map<number, number> {
  const defaults = new Map<number, number>();
  const mvex = findBox(buffer, moov, ['mvex']);
  if (!mvex) return defaults;
  for (const trex of childrenOfType(buffer, mvex, 'trex')) {
    need(trex, trex.payload, 24);
    defaults.set(buffer.readUInt32BE(trex.payload + 4), buffer.readUInt32BE(trex.payload + 12));
  }
  return defaults;
}

/** Decode time and duration (in the track's timescale) of one `moof` fragment's single track run. */
export function fragmentTiming(
  buffer: Buffer,
  moof: Box,
  trexDurations: Map<number, number>,
): { decodeTime: number; duration: number } {
  const traf = findBox(buffer, moof, ['traf']);
  const tfhd = traf && findBox(buffer, traf, ['tfhd']);
  const tfdt = traf && findBox(buffer, traf, ['tfdt']);
  if (!traf || !tfhd || !tfdt) throw new MalformedMp4('fragment without traf/tfhd/tfdt');
  const tfhdFlags = fullBoxHeader(buffer, tfhd).flags;
  need(tfhd, tfhd.payload, 8);
  const trackId = buffer.readUInt32BE(tfhd.payload + 4);
  let at = tfhd.payload + 8;
  if (tfhdFlags & 0x01) at += 8;
  if (tfhdFlags & 0x02) at += 4;
  const defaultDuration = tfhdFlags & 0x08 ? buffer.readUInt32BE(at) : (trexDurations.get(trackId) ?? 0);
  const tfdtVersion = fullBoxHeader(buffer, tfdt).version;
  need(tfdt, tfdt.payload + 4, tfdtVersion === 1 ? 8 : 4);
  const decodeTime =
    tfdtVersion === 1 ? Number(buffer.readBigUInt64BE(tfdt.payload + 4)) : buffer.readUInt32BE(tfdt.payload + 4);
  let duration = 0;
  for (const trun of childrenOfType(buffer, traf, 'trun')) {
    const flags = fullBoxHeader(buffer, trun).flags;
    need(trun, trun.payload + 4, 4);
    const count = buffer.readUInt32BE(trun.payload + 4);
    let sampleAt = trun.payload + 8 + (flags & 0x01 ? 4 : 0) + (flags & 0x04 ? 4 : 0);
    const sampleBytes = [0x100, 0x200, 0x400, 0x800].filter((flag) => flags & flag).length * 4;
    need(trun, sampleAt, count * sampleBytes);
    for (let sample = 0; sample < count; sample += 1) {
      duration += flags & 0x100 ? buffer.readUInt32BE(sampleAt) : defaultDuration;
      sampleAt += sampleBytes;
    }
  }
  return { decodeTime, duration };
}
