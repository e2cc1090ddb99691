import { TRANSCODE_FAILURE } from './transcode-failures';

/**
 * MediaConvert job error codes that say the uploaded file itself cannot be transcoded, with what the uploader is told
 * (https://docs.aws.amazon.com/mediaconvert/latest/ug/mediaconvert_error_codes.html). The probe already read the
 * same object with the same permissions, so these are the content's fault, not the stack's: the publish ends
 * REJECTED with this sentence, and no dead letter asks an operator to redrive what a redrive cannot fix. Every other
 * code (settings, permissions, disk, unknown) is the operator's: FAILED, dead letter, redrive.
 */
const SOURCE_CONTENT_ERRORS: Record<number, string> = {
  1010: 'the uploaded file could not be opened as a video: it may be damaged or in a format that is not supported',
  1020: 'the uploaded file has no video that can be read',
  1030: 'the uploaded file uses a codec or container that is not supported',
  1075: 'the uploaded file is damaged: its container could not be read',
  1076: 'the uploaded file is incomplete or damaged: it ends before its media does',
  1092: "the uploaded file's audio could not be decoded",
};

export interface JobErrorVerdict {
  error: string;
  cause: string;
}

/**
 * How a job that ended in ERROR fails the waiting Transcode state. A rejection's cause is Lambda's error envelope
 * (errorType, errorMessage), so the state machine reads it exactly as it reads ProbeSource's rejections.
 */
export function verdictForJobError(
  jobId: string,
  errorCode: number | undefined,
  errorMessage: string | undefined,
): JobErrorVerdict {
  const sentence = errorCode === undefined ? undefined : SOURCE_CONTENT_ERRORS[errorCode];
  if (sentence !== undefined) {
    return {
      error: TRANSCODE_FAILURE.sourceRejected,
      cause: JSON.stringify({
        errorType: TRANSCODE_FAILURE.sourceRejected,
        errorMessage: sentence,
        reason: `mediaconvert-${String(errorCode)}`,
      }),
    };
  }
  return {
    error: TRANSCODE_FAILURE.jobFailed,
    cause: `MediaConvert job ${jobId} failed with error ${String(errorCode ?? 'unknown')}: ${errorMessage ?? 'no message'}`,
  };
}
