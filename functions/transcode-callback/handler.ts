import { recordTranscodeProgress } from '../commons/catalogue-progress';
import { requiredEnv } from '../commons/config';
import { logger } from '../commons/logger';
import { TRANSCODE_FAILURE } from '../commons/transcode-failures';
import type { TranscodeJobRecord } from '../commons/transcode-job-record';
import { verdictForJobError } from '../commons/job-error-verdict';
import { isStaleToken, sendFailure, sendHeartbeat, sendSuccess } from '../commons/answer-waiting-transcode';
import { readJobStateChange, type JobStateDetail } from './job-state-event';
import { summariseJobOutputs, TranscodeOutputsMissing } from './summarise-job-outputs';
import { findJobRecord, forgetJobRecord } from './transcode-job-records';

export type CallbackOutcome = 'ignored' | 'heartbeat' | 'succeeded' | 'failed' | 'stale';

const config = {
  catalogueTable: requiredEnv('CATALOGUE_TABLE'),
  jobsTable: requiredEnv('TRANSCODE_JOBS_TABLE'),
};

async function answer(detail: JobStateDetail, record: TranscodeJobRecord): Promise<CallbackOutcome> {
  const { taskToken } = record;
  switch (detail.status) {
    case 'STATUS_UPDATE':
    case 'PROGRESSING': {
      await sendHeartbeat(taskToken);
      const progress = Math.min(99, Math.max(0, Math.round(detail.jobProgress?.jobPercentComplete ?? 0)));
      const { assetId, publishId } = record;
      await recordTranscodeProgress({
        table: config.catalogueTable,
        assetId,
        publishId,
        jobId: detail.jobId,
        progress,
      });
      return 'heartbeat';
    }
    case 'COMPLETE': {
      try {
        await sendSuccess(taskToken, summariseJobOutputs(detail, record));
        return 'succeeded';
      } catch (error) {
        if (!(error instanceof TranscodeOutputsMissing)) throw error;
        await sendFailure(taskToken, error.name, error.message);
        return 'failed';
      }
    }
    case 'ERROR': {
      const verdict = verdictForJobError(detail.jobId, detail.errorCode, detail.errorMessage);
      await sendFailure(taskToken, verdict.error, verdict.cause);
      return 'failed';
    }
    case 'CANCELED':
      await sendFailure(taskToken, TRANSCODE_FAILURE.jobCanceled, `MediaConvert job ${detail.jobId} was canceled`);
      return 'failed';
    default:
      return 'ignored';
  }
}

/**
 * Answers the execution waiting on a MediaConvert job: heartbeat and progress on STATUS_UPDATE, success with the
 * outputs on COMPLETE, failure with MediaConvert's code and message on ERROR or CANCELED. Events of jobs it did
 * not submit are ignored. Throttling and service errors are thrown, so EventBridge retries the event.
 */
export async function handler(event: unknown): Promise<{ outcome: CallbackOutcome }> {
  const detail = readJobStateChange(event);
  const correlationId = detail.userMetadata?.correlationId;
  const context = { jobId: detail.jobId, status: detail.status, correlationId };
  if (!correlationId) {
    logger.info('event ignored: job not submitted by vodflow', context);
    return { outcome: 'ignored' };
  }
  const record = await findJobRecord(config.jobsTable, correlationId);
  if (!record) {
    logger.info('event ignored: no waiting execution for this job', context);
    return { outcome: 'ignored' };
  }

  let outcome: CallbackOutcome;
  try {
    outcome = await answer(detail, record);
  } catch (error) {
    if (!isStaleToken(error)) throw error;
    logger.warn('execution no longer waits for this job', { ...context, assetId: record.assetId, error });
    outcome = 'stale';
  }
  if (outcome === 'succeeded' || outcome === 'failed' || outcome === 'stale') {
    await forgetJobRecord(config.jobsTable, correlationId);
  }
  logger.info('transcode event handled', { ...context, assetId: record.assetId, outcome });
  return { outcome };
}
