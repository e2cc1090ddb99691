import type { TranscodeJobRecord } from '../commons/transcode-job-record';
import type { Rendition, TranscodeResult } from '../commons/types';
import type { JobStateDetail } from './job-state-event';

/** A COMPLETE event that lacks an output the workflow needs: the job cannot be published as it is. */
export class TranscodeOutputsMissing extends Error {
  override readonly name = 'TranscodeOutputsMissing';
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

function folderOf(uri: string): string {
  return uri.slice(0, uri.lastIndexOf('/') + 1);
}

/**
 * Turns a COMPLETE event into the Transcode state's result: where the CMAF manifests, the poster and the
 * trick-play tiles are, how long the output is, and the rungs that were encoded. The rungs are the ones planned
 * at submit (MediaConvert encodes exactly the sizes it is given); the event's per-output details are not matched
 * by position, because the CMAF group also reports audio and trick-play outputs among them.
 */
export function summariseJobOutputs(detail: JobStateDetail, record: TranscodeJobRecord): TranscodeResult {
  const groups = detail.outputGroupDetails ?? [];
  const cmaf = groups.find((group) => group.type === 'CMAF_GROUP');
  const playlists = cmaf?.playlistFilePaths ?? [];
  const hlsManifest = playlists.find((path) => path.endsWith('.m3u8'));
  const dashManifest = playlists.find((path) => path.endsWith('.mpd'));
  const poster = groups
    .filter((group) => group.type === 'FILE_GROUP')
    .flatMap((group) => group.outputDetails ?? [])
    .flatMap((output) => output.outputFilePaths ?? [])
    .find((path) => /\.jpe?g$/i.test(path));
  if (!hlsManifest || !dashManifest || !poster) {
    throw new TranscodeOutputsMissing(
      `job ${detail.jobId} completed without ${[!hlsManifest && 'an HLS manifest', !dashManifest && 'a DASH manifest', !poster && 'a poster'].filter(Boolean).join(', ')}`,
    );
  }

  const durationMs = Math.max(
    0,
    ...groups.flatMap((group) => group.outputDetails ?? []).map((o) => o.durationInMs ?? 0),
  );

  return {
    jobId: detail.jobId,
    hlsManifest,
    dashManifest,
    poster,
    trickplay: folderOf(hlsManifest),
    durationSeconds: durationMs / 1000,
    renditions: record.renditions,
    renditionsAttribute: { L: record.renditions.map(renditionAttribute) },
  };
}
