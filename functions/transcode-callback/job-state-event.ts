import { InvalidEvent } from '../commons/errors';

/** The parts of an EventBridge "MediaConvert Job State Change" event that the callback reads. */
export interface OutputDetail {
  outputFilePaths?: string[];
  durationInMs?: number;
  videoDetails?: { widthInPx?: number; heightInPx?: number; averageBitrate?: number };
}
export interface OutputGroupDetail {
  type?: string;
  playlistFilePaths?: string[];
  outputDetails?: OutputDetail[];
}
export interface JobStateDetail {
  status: string;
  jobId: string;
  queue?: string;
  userMetadata?: Record<string, string>;
  jobProgress?: { jobPercentComplete?: number; currentPhase?: string };
  errorCode?: number;
  errorMessage?: string;
  outputGroupDetails?: OutputGroupDetail[];
}
export interface JobStateChangeEvent {
  'detail-type': string;
  source: string;
  detail: JobStateDetail;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Checks the event is what the rule should deliver; anything else is a wiring error worth a loud failure. */
export function readJobStateChange(event: unknown): JobStateDetail {
  if (!isRecord(event) || event.source !== 'aws.mediaconvert' || !isRecord(event.detail)) {
    throw new InvalidEvent('expected an EventBridge event from aws.mediaconvert');
  }
  const { status, jobId } = event.detail;
  if (typeof status !== 'string' || typeof jobId !== 'string') {
    throw new InvalidEvent('MediaConvert event without status or jobId');
  }
  return event.detail as unknown as JobStateDetail;
}
