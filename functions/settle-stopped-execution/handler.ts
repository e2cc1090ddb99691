import middy from '@middy/core';
import { requiredEnv } from '../commons/config';
import { logger } from '../commons/logger';
import { parseStoppedExecution, type ExecutionStatusChangeEvent } from './execution-status-change';
import { parsePublishRequest } from './publish-request';
import { settleStoppedPublish, type SettleOutcome, type SettleTargets } from './settle-stopped-publish';
import { readStoppedExecution } from './stopped-execution-history';

export type SettleResult = SettleOutcome | { settled: false; reason: 'not-stopped' | 'not-a-publish' };

let targets: SettleTargets | undefined;
/** Read on first use and kept: a missing variable fails the first invocation with MissingConfiguration. */
function config(): SettleTargets {
  targets ??= {
    catalogueTable: requiredEnv('CATALOGUE_TABLE'),
    deadLetterQueueUrl: requiredEnv('DEAD_LETTER_QUEUE_URL'),
    notificationsTopicArn: requiredEnv('NOTIFICATIONS_TOPIC_ARN'),
  };
  return targets;
}

/**
 * EventBridge "Step Functions Execution Status Change" for publish-video (FAILED, TIMED_OUT, ABORTED) -> the asset
 * leaves its working state with a dead letter and a notification, whatever ended the execution. Errors are thrown so
 * that Lambda's asynchronous retries and then the events DLQ keep the event.
 */
async function settle(event: ExecutionStatusChangeEvent): Promise<SettleResult> {
  const stopped = parseStoppedExecution(event);
  if (!stopped) return { settled: false, reason: 'not-stopped' };
  const facts = await readStoppedExecution(stopped.executionArn, stopped.input === undefined);
  const request = parsePublishRequest(stopped.input ?? facts.input);
  if (!request) {
    logger.warn('stopped execution has no publish request as input, nothing to settle', {
      executionArn: stopped.executionArn,
    });
    return { settled: false, reason: 'not-a-publish' };
  }
  const outcome = await settleStoppedPublish(
    {
      request,
      executionArn: stopped.executionArn,
      stateMachineArn: stopped.stateMachineArn,
      status: stopped.status,
      ...(facts.lastState === undefined ? {} : { stoppedState: facts.lastState }),
      error: stopped.error,
      cause: stopped.cause,
      stoppedAt: stopped.stoppedAt,
      redriveCount: facts.redriveCount,
    },
    config(),
  );
  logger.info(outcome.settled ? 'stopped execution settled' : 'stopped execution needs no settling', {
    assetId: request.assetId,
    publishId: request.publishId,
    executionStatus: stopped.status,
    stoppedState: facts.lastState,
    ...(outcome.settled ? {} : { reason: outcome.reason }),
  });
  return outcome;
}

export const handler = middy<ExecutionStatusChangeEvent, SettleResult>().handler(settle);
