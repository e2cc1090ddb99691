import path from 'node:path';
import { FfmpegNotFound } from '../../ffmpeg/locate-binaries';
import { FfmpegFailed } from '../../ffmpeg/run-ffmpeg';

/**
 * Why a job ended in ERROR, with the code MediaConvert uses for that kind of failure (its "Error codes" page):
 * 1010 input cannot be opened, 1030 input cannot be decoded, 1040 settings that do not fit the input, 1401 output
 * cannot be written, 1999 anything else.
 */
export class JobFailed extends Error {
  override readonly name = 'JobFailed';
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The job was canceled while it ran: no ERROR, no outputs. */
export class JobCanceled extends Error {
  override readonly name = 'JobCanceled';
}

const SOURCE_TOKEN = '\u0000source\u0000';

/**
 * Keeps ffmpeg's diagnostics free of this machine's paths: the source becomes its s3:// URL and any other absolute
 * path (the work folder, the binary) only its file name.
 */
export function scrubPaths(text: string, sourceFile: string, sourceUrl: string): string {
  return text
    .split(sourceFile)
    .join(SOURCE_TOKEN)
    .replace(/(?<![\w.)\]])(?:\/[^\s/'":,\]]+)+\/?/g, (absolute) => path.basename(absolute))
    .split(SOURCE_TOKEN)
    .join(sourceUrl);
}

function codeForDiagnostics(stderr: string): number {
  if (/No space left|Permission denied|Error writing|Could not write|Failed to open .*for writing/i.test(stderr)) {
    return 1401;
  }
  if (/Invalid data found|moov atom not found|could not find codec parameters|End of file/i.test(stderr)) return 1010;
  if (/Decoder .*not found|Unsupported codec|Error while decoding|decode_slice|corrupt/i.test(stderr)) return 1030;
  return 1999;
}

/** A JobFailed for an ffmpeg run that failed: exit code and a short, path-free tail of its stderr. */
export function ffmpegJobFailure(error: FfmpegFailed, sourceFile: string, sourceUrl: string): JobFailed {
  const tail = scrubPaths(error.stderrTail, sourceFile, sourceUrl).split('\n').slice(-3).join(' | ');
  const message = scrubPaths(error.message, sourceFile, sourceUrl);
  return new JobFailed(
    codeForDiagnostics(error.stderrTail),
    `Transcoding failed for input [${sourceUrl}]: ${message}${tail ? `: ${tail}` : ''}`.slice(0, 1000),
  );
}

/** Any failure of a running job as JobFailed (JobFailed and JobCanceled pass through). */
export function asJobFailure(error: unknown, sourceFile: string, sourceUrl: string): JobFailed | JobCanceled {
  if (error instanceof JobFailed || error instanceof JobCanceled) return error;
  if (error instanceof FfmpegFailed) return ffmpegJobFailure(error, sourceFile, sourceUrl);
  if (error instanceof FfmpegNotFound) return new JobFailed(1999, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new JobFailed(1999, `Unknown error: ${scrubPaths(message, sourceFile, sourceUrl)}`);
}
