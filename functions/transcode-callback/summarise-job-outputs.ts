import { frameCaptureName, OUTPUT_LAYOUT } from '../commons/output-layout';
import { TRANSCODE_FAILURE } from '../commons/transcode-failures';
import type { TranscodeJobRecord } from '../commons/transcode-job-record';
import type { Rendition, TranscodeResult } from '../commons/types';
import type { JobStateDetail } from './job-state-event';

/** A COMPLETE event that lacks an output the workflow needs: the job cannot be published as it is. */
export class TranscodeOutputsMissing extends Error {
  override readonly name = TRANSCODE_FAILURE.outputsMissing;
}

function renditionAttribute(rendition: Rendition): TranscodeResult['renditionsAttribute']['L'][number] {
  return {
    M: {
      name: { S: rendition.name },
      width: { N: String(rendition.width) },
      height: { N: String(rendition.height) },
      maxBitrate: { N: String(rendition.maxBitrate) },
      codec: { S: rendition.codec },
    },
  };
}

/** The last capture of the frame-capture output with this NameModifier (`…/index_poster.0000001.jpg`). */
function lastCaptureOf(paths: string[], nameModifier: string): string | undefined {
  return paths.find((path) => frameCaptureName(path)?.base.endsWith(`/${OUTPUT_LAYOUT.baseName}${nameModifier}`));
}

/**
 * Turns a COMPLETE event into the Transcode state's result. MediaConvert reports, per output of a file group, the
 * file it wrote; for a frame-capture output, the last capture (mediaconvert/latest/ug/output-file-names-and-paths.html,
 * file-group-with-frame-capture-output.html). The MP4 of each planned rung is found by its name (`index_<rung>.mp4`),
 * not by position; the rungs are the ones planned at submit (MediaConvert encodes exactly the sizes it is given).
 */
export function summariseJobOutputs(detail: JobStateDetail, record: TranscodeJobRecord): TranscodeResult {
  const outputs = (detail.outputGroupDetails ?? [])
    .filter((group) => group.type === 'FILE_GROUP')
    .flatMap((group) => group.outputDetails ?? []);
  const paths = outputs.flatMap((output) => output.outputFilePaths ?? []);
  const mp4Of = (rendition: Rendition): string | undefined =>
    paths.find((path) => path.endsWith(`/${OUTPUT_LAYOUT.baseName}_${rendition.name}.mp4`));
  const mp4Files = record.renditions.map(mp4Of);
  const poster = lastCaptureOf(paths, OUTPUT_LAYOUT.posterModifier);
  const lastThumbnail = lastCaptureOf(paths, OUTPUT_LAYOUT.thumbnailsModifier);

  const missing = [
    ...record.renditions.filter((_, index) => !mp4Files[index]).map((rendition) => `the ${rendition.name} MP4`),
    ...(poster ? [] : ['a poster']),
    ...(lastThumbnail ? [] : ['trick-play thumbnails']),
  ];
  if (missing.length > 0 || !poster || !lastThumbnail) {
    throw new TranscodeOutputsMissing(`job ${detail.jobId} completed without ${missing.join(', ')}`);
  }

  const durationMs = Math.max(0, ...outputs.map((output) => output.durationInMs ?? 0));
  return {
    jobId: detail.jobId,
    mp4Files: mp4Files.filter((file): file is string => file !== undefined),
    ...(record.audioLanguage ? { audioLanguage: record.audioLanguage } : {}),
    poster,
    trickplay: { lastCapture: lastThumbnail, ...record.trickplay },
    durationSeconds: durationMs / 1000,
    renditions: record.renditions,
    renditionsAttribute: { L: record.renditions.map(renditionAttribute) },
  };
}
