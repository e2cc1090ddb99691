import { verdictForJobError } from '../commons/job-error-verdict';
import { TRANSCODE_FAILURE } from '../commons/transcode-failures';

/** What GetJob says about the job a Transcode state waits on (undefined: MediaConvert no longer knows it). */
export interface JobState {
  status: string;
  errorCode?: number;
  errorMessage?: string;
}

export type WatchdogVerdict =
  { action: 'heartbeat' } | { action: 'fail'; error: string; cause: string } | { action: 'leave'; reason: string };

/**
 * MediaConvert sends no event while a job waits in its queue (SUBMITTED), so the Transcode state's HeartbeatSeconds
 * would fire during a long queue wait. The watchdog heartbeats for a job that is still SUBMITTED or PROGRESSING and
 * fails the task for a job that ended in ERROR or CANCELED or is gone (its event was lost, or the callback already
 * answered: then SendTaskFailure finds the token closed). A COMPLETE job gets nothing: its event carries the outputs
 * the success needs, and if that event is lost the missing heartbeats let HeartbeatSeconds fail the state.
 * Statuses: https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobs-id.html (JobStatus).
 */
export function judgeWaitingJob(jobId: string, job: JobState | undefined): WatchdogVerdict {
  if (!job) {
    return { action: 'fail', error: TRANSCODE_FAILURE.jobMissing, cause: `MediaConvert job ${jobId} does not exist` };
  }
  switch (job.status) {
    case 'SUBMITTED':
    case 'PROGRESSING':
      return { action: 'heartbeat' };
    case 'ERROR':
      return { action: 'fail', ...verdictForJobError(jobId, job.errorCode, job.errorMessage) };
    case 'CANCELED':
      return { action: 'fail', error: TRANSCODE_FAILURE.jobCanceled, cause: `MediaConvert job ${jobId} was canceled` };
    default:
      return { action: 'leave', reason: `job is ${job.status}` };
  }
}
