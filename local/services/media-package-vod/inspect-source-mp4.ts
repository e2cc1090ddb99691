import { probeMediaFile } from '../../ffmpeg/probe-media-file';
import {
  avcCodecString,
  childrenOfType,
  findBox,
  firstSampleEntry,
  handlerType,
  loadBox,
  MalformedMp4,
  mediaHeader,
  mp4aCodecString,
  topLevelBoxes,
} from './mp4-boxes';

/** MediaPackage's ingest of this source fails: the reason becomes the asset's IngestError and FAILED endpoints. */
export class SourceRejected extends Error {
  override readonly name = 'SourceRejected';
}

export interface SourceVideoTrack {
  /** RFC 6381 (`avc1.64000d`). */
  codecs: string;
  width: number;
  height: number;
  /** `30` or `30000/1001`. */
  frameRate: string;
  /** Average video bit rate (ffprobe's, from the sample sizes): what StreamSelection compares. */
  bitsPerSecond: number;
}

export interface SourceAudioTrack {
  codecs: string;
  sampleRate: number;
  channels: number;
  /** ISO-639-2 of the track (`und` when unset). */
  language: string;
}

export interface SourceMp4 {
  video: SourceVideoTrack;
  audio: SourceAudioTrack[];
  durationSeconds: number;
}

/** H.264 sample entries (ISO/IEC 14496-15). */
const H264_ENTRIES = new Set(['avc1', 'avc3']);

interface BoxTrack {
  handler: string;
  entry: string;
  codecs: string | undefined;
  language: string;
  seconds: number;
}

async function readMoov(file: string, name: string) {
  let boxes;
  try {
    boxes = await topLevelBoxes(file);
  } catch (error) {
    if (error instanceof MalformedMp4) throw new SourceRejected(`${name} is not an MP4 file: ${error.message}`);
    throw error;
  }
  if (boxes[0]?.type !== 'ftyp') throw new SourceRejected(`${name} is not an MP4 file (no ftyp box first)`);
  // supported-inputs-vod.html: a SMIL source lists MP4 (non-fragmented) files.
  if (boxes.some((box) => box.type === 'moof')) {
    throw new SourceRejected(`${name} is a fragmented MP4 (moof boxes); MediaPackage VOD takes non-fragmented MP4`);
  }
  const moovBox = boxes.find((box) => box.type === 'moov');
  if (!moovBox) throw new SourceRejected(`${name} has no moov box`);
  const loaded = await loadBox(file, moovBox);
  if (findBox(loaded.buffer, loaded.box, ['mvex'])) {
    throw new SourceRejected(`${name} is a fragmented MP4 (moov/mvex); MediaPackage VOD takes non-fragmented MP4`);
  }
  return loaded;
}

async function boxTracks(file: string, name: string): Promise<BoxTrack[]> {
  const { buffer, box: moov } = await readMoov(file, name);
  try {
    return childrenOfType(buffer, moov, 'trak').map((trak) => {
      const hdlr = findBox(buffer, trak, ['mdia', 'hdlr']);
      const mdhd = findBox(buffer, trak, ['mdia', 'mdhd']);
      const stsd = findBox(buffer, trak, ['mdia', 'minf', 'stbl', 'stsd']);
      if (!hdlr || !mdhd || !stsd) throw new MalformedMp4('a track lacks hdlr, mdhd or stsd');
      const handler = handlerType(buffer, hdlr);
      const header = mediaHeader(buffer, mdhd);
      const entry = firstSampleEntry(buffer, stsd);
      const codecs =
        handler === 'vide' && H264_ENTRIES.has(entry.type)
          ? avcCodecString(buffer, entry)
          : handler === 'soun' && entry.type === 'mp4a'
            ? mp4aCodecString(buffer, entry)
            : undefined;
      return {
        handler,
        entry: entry.type,
        codecs,
        language: header.language,
        seconds: header.timescale > 0 ? header.duration / header.timescale : 0,
      };
    });
  } catch (error) {
    if (error instanceof MalformedMp4) throw new SourceRejected(`${name} is not a readable MP4: ${error.message}`);
    throw error;
  }
}

/** The audio tracks of an MP4 (an HLS source's audio rendition, remuxed): AAC only, described for the manifests. */
export async function inspectAudioMp4(ffprobe: string, file: string, name: string): Promise<SourceAudioTrack[]> {
  const tracks = (await boxTracks(file, name)).filter((track) => track.handler === 'soun');
  if (tracks.length === 0) throw new SourceRejected(`${name} has no audio track`);
  return describeAudio(ffprobe, file, name, tracks);
}

async function describeAudio(
  ffprobe: string,
  file: string,
  name: string,
  tracks: BoxTrack[],
): Promise<SourceAudioTrack[]> {
  if (tracks.length === 0) return [];
  for (const audio of tracks) {
    if (audio.entry !== 'mp4a' || !audio.codecs?.startsWith('mp4a.40.')) {
      throw new SourceRejected(`${name}: audio codec ${audio.entry} is not AAC (the local packager handles AAC only)`);
    }
  }
  const probed = (await probeMediaFile(ffprobe, file)).streams.filter((stream) => stream.codecType === 'audio');
  return tracks.map((track, index) => ({
    codecs: track.codecs ?? 'mp4a.40.2',
    sampleRate: probed[index]?.sampleRate ?? 48000,
    channels: probed[index]?.channels ?? 2,
    language: track.language,
  }));
}

/**
 * Checks one MP4 of a SMIL source the way MediaPackage VOD's ingest needs it (supported-inputs-vod.html: MP4,
 * non-fragmented; at least one video track) and reads what the manifests must state: codecs from the sample
 * entries, picture size and frame rate from ffprobe.
 */
export async function inspectSourceMp4(ffprobe: string, file: string, name: string): Promise<SourceMp4> {
  const tracks = await boxTracks(file, name);
  const videoTracks = tracks.filter((track) => track.handler === 'vide');
  const video = videoTracks[0];
  // supported-inputs-live.html / supported-inputs.html: an input must contain at least one video track.
  if (!video) throw new SourceRejected(`${name} has no video track`);
  if (videoTracks.length > 1) throw new SourceRejected(`${name} has ${String(videoTracks.length)} video tracks`);
  // supported-inputs-vod.html: H.264 video (H.265 is listed too; the local packager handles H.264 only).
  if (!H264_ENTRIES.has(video.entry) || !video.codecs) {
    throw new SourceRejected(
      `${name}: video codec ${video.entry} is not H.264 (the local packager handles H.264 only)`,
    );
  }
  const audio = await describeAudio(
    ffprobe,
    file,
    name,
    tracks.filter((track) => track.handler === 'soun'),
  );
  const probed = await probeMediaFile(ffprobe, file);
  const probedVideo = probed.streams.find((stream) => stream.codecType === 'video' && !stream.attachedPicture);
  if (!probedVideo?.width || !probedVideo.height || !probedVideo.frameRate) {
    throw new SourceRejected(`${name}: ffprobe reads no picture size or frame rate`);
  }
  const [numerator, denominator] = probedVideo.frameRate.split('/');
  return {
    video: {
      codecs: video.codecs,
      width: probedVideo.width,
      height: probedVideo.height,
      frameRate: denominator === '1' ? (numerator ?? probedVideo.frameRate) : probedVideo.frameRate,
      bitsPerSecond: probedVideo.bitRate ?? 0,
    },
    audio,
    durationSeconds: Math.max(...tracks.map((track) => track.seconds)),
  };
}
