/**
 * The data that flows through the publish-video state machine. Each state adds its result under its own key
 * (ResultPath), so a redriven state finds everything it needs in its original input.
 */

/** The uploaded object that started the workflow. */
export interface SourceObject {
  bucket: string;
  key: string;
  /** The object version; '' for an unversioned bucket (the catalogue write needs a string either way). */
  versionId: string;
  etag: string;
  size: number;
}

/** Execution input, written by the start-publish function. */
export interface PublishRequest {
  assetId: string;
  /** Unique per source version: the execution name, and the prefix of this publish's outputs. */
  publishId: string;
  source: SourceObject;
}

/** What ProbeSource learned about the source (stored under `$.media`). */
export interface SourceMedia {
  durationSeconds: number;
  /** Displayed width/height: rotation already applied, so a phone video shot upright is portrait here. */
  width: number;
  height: number;
  frameRate: number;
  videoCodec: string;
  hasAudio: boolean;
  audioCodec?: string;
  /** ISO 639-2 code of the audio track's language, lower case (`eng`), when the probe reports one. */
  audioLanguage?: string;
  container: string;
}

/** One video rung of the ladder as encoded. */
export interface Rendition {
  name: string;
  width: number;
  height: number;
  maxBitrate: number;
  codec: string;
}

/** The trick-play frame captures of a job: MediaConvert reports only the last one; the others follow from it. */
export interface TrickplayCaptures {
  /** s3:// URI of the last capture (`…/index_thumbnails.0000041.jpg`); captures are numbered from 0. */
  lastCapture: string;
  /** Capture n shows the frame at n x intervalSeconds. */
  intervalSeconds: number;
  width: number;
  height: number;
}

/** What the transcode step returns (SendTaskSuccess output, stored under `$.transcode`). */
export interface TranscodeResult {
  jobId: string;
  /** s3:// URIs of the MP4 renditions (non-fragmented, video + audio), in the order of `renditions`. */
  mp4Files: string[];
  /** Language (ISO 639-2, `und` when unknown) of the audio every MP4 carries; absent when the source is silent. */
  audioLanguage?: string;
  /** s3:// URI of the poster frame. */
  poster: string;
  trickplay: TrickplayCaptures;
  durationSeconds: number;
  renditions: Rendition[];
  /** The renditions as a DynamoDB AttributeValue list, so the catalogue write can stay a direct integration. */
  renditionsAttribute: { L: { M: Record<string, { S: string } | { N: string }> }[] };
}

/** What RegisterAsset returns (stored under `$.packaging`). */
export interface PackagingResult {
  mediaPackageAssetId: string;
  playback: { hls: string; dash: string };
  thumbnails: { poster: string; trickplay: string };
  /** CloudFront paths to invalidate: this asset's prefixes, never the whole distribution. */
  invalidationPaths: string[];
}
