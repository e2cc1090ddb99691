import { eventBridgeEvent, LOCAL_ACCOUNT, type LocalEvent } from '../../seam/local-events';
import type { JobPhase, OutputGroupDetail } from './run-transcode-job';

export type JobStatus = 'SUBMITTED' | 'PROGRESSING' | 'COMPLETE' | 'CANCELED' | 'ERROR';

/** What an event needs to know about its job. */
export interface JobIdentity {
  id: string;
  arn: string;
  queue: string;
  userMetadata: Record<string, string>;
}

export interface JobProgress {
  phase: JobPhase;
  percentComplete: number;
  framesDecoded: number;
}

const PHASES: JobPhase[] = ['PROBING', 'TRANSCODING', 'UPLOADING'];

function jobStateChange(job: JobIdentity, status: string, extra: Record<string, unknown> = {}): LocalEvent {
  return eventBridgeEvent(
    'aws.mediaconvert',
    'MediaConvert Job State Change',
    {
      timestamp: Date.now(),
      accountId: LOCAL_ACCOUNT,
      queue: job.queue,
      jobId: job.id,
      status,
      userMetadata: job.userMetadata,
      ...extra,
    },
    [job.arn],
  );
}

export function progressingEvent(job: JobIdentity): LocalEvent {
  return jobStateChange(job, 'PROGRESSING');
}

/** STATUS_UPDATE as events/mediaconvert/status-update.json: per-phase progress and the job's percentage. */
export function statusUpdateEvent(job: JobIdentity, progress: JobProgress): LocalEvent {
  const current = PHASES.indexOf(progress.phase);
  const phaseProgress = Object.fromEntries(
    PHASES.map((phase, index) => [
      phase,
      index < current
        ? { status: 'COMPLETE', percentComplete: 100 }
        : index === current
          ? { status: 'PROGRESSING', percentComplete: phasePercent(progress) }
          : { status: 'PENDING', percentComplete: 0 },
    ]),
  );
  return jobStateChange(job, 'STATUS_UPDATE', {
    framesDecoded: progress.framesDecoded,
    jobProgress: {
      phaseProgress,
      jobPercentComplete: progress.percentComplete,
      currentPhase: progress.phase,
      retryCount: 0,
    },
  });
}

function phasePercent(progress: JobProgress): number {
  if (progress.phase === 'TRANSCODING') return Math.min(100, Math.round((progress.percentComplete / 90) * 100));
  if (progress.phase === 'UPLOADING') return Math.min(100, Math.max(0, (progress.percentComplete - 90) * 10));
  return 0;
}

export function completeEvent(
  job: JobIdentity,
  timing: { submitTimeMillis: number; startTimeMillis: number; finishTimeMillis: number },
  outputGroupDetails: OutputGroupDetail[],
): LocalEvent {
  return jobStateChange(job, 'COMPLETE', { timing, warnings: [], outputGroupDetails });
}

export function errorEvent(job: JobIdentity, errorCode: number, errorMessage: string): LocalEvent {
  return jobStateChange(job, 'ERROR', { errorCode, errorMessage });
}

export function canceledEvent(job: JobIdentity): LocalEvent {
  return jobStateChange(job, 'CANCELED');
}
