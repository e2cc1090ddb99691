import { requiredEnv } from '../commons/config';
import { logger } from '../commons/logger';
import { isStaleToken, sendFailure, sendHeartbeat } from '../commons/answer-waiting-transcode';
import { judgeWaitingJob } from './judge-waiting-job';
import { forgetJobRecord, getJobState, waitingJobRecords } from './waiting-jobs';

export interface WatchdogReport {
  checked: number;
  heartbeats: number;
  failed: number;
  stale: number;
  /** Records whose job id is not stored yet (the submit is in flight). */
  notSubmitted: number;
}

const config = { jobsTable: requiredEnv('TRANSCODE_JOBS_TABLE') };

/**
 * Scheduled (every few minutes, shorter than the Transcode state's HeartbeatSeconds): keeps a Transcode state alive
 * while its job waits in a busy queue, and fails it when the job ended without its event reaching the callback.
 */
export async function handler(): Promise<WatchdogReport> {
  const report: WatchdogReport = { checked: 0, heartbeats: 0, failed: 0, stale: 0, notSubmitted: 0 };
  for await (const record of waitingJobRecords(config.jobsTable)) {
    const { correlationId, jobId, assetId, taskToken } = record;
    if (!jobId) {
      report.notSubmitted += 1;
      continue;
    }
    report.checked += 1;
    const verdict = judgeWaitingJob(jobId, await getJobState(jobId));
    try {
      if (verdict.action === 'heartbeat') {
        await sendHeartbeat(taskToken);
        report.heartbeats += 1;
      } else if (verdict.action === 'fail') {
        await sendFailure(taskToken, verdict.error, verdict.cause);
        await forgetJobRecord(config.jobsTable, correlationId);
        report.failed += 1;
        logger.warn('waiting transcode failed by the watchdog', { assetId, jobId, error: verdict.error });
      }
    } catch (error) {
      if (!isStaleToken(error)) throw error;
      // The execution no longer waits (answered, timed out, redriven with a new token): the record is useless.
      await forgetJobRecord(config.jobsTable, correlationId);
      report.stale += 1;
    }
  }
  logger.info('transcode watchdog ran', { ...report });
  return report;
}
