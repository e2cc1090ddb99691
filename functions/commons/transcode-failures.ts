/**
 * The error names a waiting Transcode state can be failed with through SendTaskFailure (transcode-callback from the
 * job's events, transcode-watchdog from GetJob). The state's Catch matches them; redrive submits a new job.
 */
export const TRANSCODE_FAILURE = {
  /** MediaConvert reported the job ERROR. */
  jobFailed: 'MediaConvertJobFailed',
  /** The job was canceled. */
  jobCanceled: 'MediaConvertJobCanceled',
  /** GetJob no longer knows the job the token waits on. */
  jobMissing: 'MediaConvertJobMissing',
  /** The job ended in ERROR because of the uploaded file itself (job-error-verdict.ts): the REJECTED path. */
  sourceRejected: 'SourceRejected',
  /** The job completed without an output the workflow needs. */
  outputsMissing: 'TranscodeOutputsMissing',
} as const;
