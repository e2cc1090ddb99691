/**
 * Where one publish's files live under its prefix (`s3://media-bucket/assets/{assetId}/{publishId}/`). The job
 * settings (submit-transcode), the reading of the COMPLETE event (transcode-callback) and the manifests written
 * beside the outputs (register-asset) all name files from here, so the names have one source.
 *
 * - `mp4/index_<rung>.mp4`: the renditions (MediaConvert names a file group's outputs destination base name +
 *   NameModifier + extension), `mp4/index.smil`: the MediaPackage VOD source that lists them.
 * - `images/index_poster.000000N.jpg` and `images/index_thumbnails.000000N.jpg`: frame captures (MediaConvert
 *   numbers them `.NNNNNNN.jpg` from 0: docs.aws.amazon.com/mediaconvert/latest/ug/file-group-with-frame-capture-output.html),
 *   `images/index_thumbnails.vtt`: the WebVTT thumbnails track over them.
 */
export const OUTPUT_LAYOUT = {
  mp4Folder: 'mp4/',
  imagesFolder: 'images/',
  baseName: 'index',
  posterModifier: '_poster',
  thumbnailsModifier: '_thumbnails',
} as const;

export interface OutputLocations {
  /** FileGroupSettings Destination of the MP4 renditions (folder + base name). */
  mp4Destination: string;
  /** FileGroupSettings Destination of the frame captures (folder + base name). */
  imagesDestination: string;
}

/** Where a job built for `destinationPrefix` (ending in '/') writes. */
export function outputLocations(destinationPrefix: string): OutputLocations {
  const { mp4Folder, imagesFolder, baseName } = OUTPUT_LAYOUT;
  return {
    mp4Destination: `${destinationPrefix}${mp4Folder}${baseName}`,
    imagesDestination: `${destinationPrefix}${imagesFolder}${baseName}`,
  };
}

/** `…/index_thumbnails.0000041.jpg` -> { base: '…/index_thumbnails', number: 41 }; undefined for other names. */
export function frameCaptureName(uri: string): { base: string; number: number } | undefined {
  const match = /^(.*)\.(\d{7})\.jpg$/.exec(uri);
  return match?.[1] && match[2] ? { base: match[1], number: Number(match[2]) } : undefined;
}

/** MediaConvert's name of capture `number` of a frame-capture output whose files start with `base`. */
export function frameCaptureUri(base: string, number: number): string {
  return `${base}.${String(number).padStart(7, '0')}.jpg`;
}
