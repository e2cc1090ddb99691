import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../commons/clients/dynamo';
import { sns } from '../commons/clients/sns';
import { sqs } from '../commons/clients/sqs';
import { isAwsError } from '../commons/errors';
import type { PublishRequest } from '../commons/types';

/** The state publish-video fails in on purpose once its failure path has recorded, dead-lettered and notified. */
export const FAILURE_PATH_END = 'AwaitRedrive';

/** Statuses the workflow leaves behind when it ends well or on purpose: a stopped execution never overwrites them. */
const FINAL_STATUSES = ['READY', 'REJECTED', 'UNPUBLISHED'] as const;

export interface SettleTargets {
  catalogueTable: string;
  deadLetterQueueUrl: string;
  notificationsTopicArn: string;
}

export interface StoppedPublish {
  request: PublishRequest;
  executionArn: string;
  stateMachineArn: string;
  status: string;
  /** The state it stopped in; undefined when the history shows none (stopped before its first state). */
  stoppedState?: string;
  error: string;
  cause: string;
  stoppedAt: string;
  redriveCount: number;
}

export type SettleOutcome =
  { settled: true } | { settled: false; reason: 'failure-path-complete' | 'record-moved-on-or-settled' };

/**
 * Leaves a stopped publish as the workflow's own failure path would have (catalogue FAILED with the state and
 * error, one dead letter for the redrive function, one `video.failed`) when the execution ended outside that path:
 * the 8-hour cap, a failure inside the failure path, an operator's Stop, a crash of local mode. An execution that
 * ended at AwaitRedrive has done all of that itself, a record that another publish owns, or that is READY,
 * REJECTED or UNPUBLISHED, is left alone, and so is a stop already settled.
 */
export async function settleStoppedPublish(stopped: StoppedPublish, targets: SettleTargets): Promise<SettleOutcome> {
  if (stopped.stoppedState === FAILURE_PATH_END) return { settled: false, reason: 'failure-path-complete' };
  const failedState = stopped.stoppedState ?? 'ExecutionStart';
  if (!(await recordFailure(stopped, failedState, targets.catalogueTable))) {
    return { settled: false, reason: 'record-moved-on-or-settled' };
  }
  const { assetId, publishId, source } = stopped.request;
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: targets.deadLetterQueueUrl,
      // The same fields as the state machine's SendToDeadLetterQueue, so the redrive function reads both alike.
      MessageBody: JSON.stringify({
        executionArn: stopped.executionArn,
        stateMachineArn: stopped.stateMachineArn,
        assetId,
        publishId,
        source,
        failedState,
        error: stopped.error,
        cause: stopped.cause,
        failedAt: stopped.stoppedAt,
        redriveCount: stopped.redriveCount,
        executionStatus: stopped.status,
      }),
      MessageAttributes: {
        failedState: { DataType: 'String', StringValue: failedState },
        assetId: { DataType: 'String', StringValue: assetId },
      },
    }),
  );
  await sns.send(
    new PublishCommand({
      TopicArn: targets.notificationsTopicArn,
      Subject: 'vodflow video failed',
      Message: JSON.stringify({
        event: 'video.failed',
        assetId,
        publishId,
        status: 'FAILED',
        failedState,
        error: stopped.error,
        cause: stopped.cause,
        executionArn: stopped.executionArn,
      }),
      MessageAttributes: {
        event: { DataType: 'String', StringValue: 'video.failed' },
        status: { DataType: 'String', StringValue: 'FAILED' },
        assetId: { DataType: 'String', StringValue: assetId },
        failedState: { DataType: 'String', StringValue: failedState },
      },
    }),
  );
  await markSettled(stopped, targets.catalogueTable);
  return { settled: true };
}

/**
 * Marked only once the dead letter and the notification are out: a retry after a partial failure sends both again
 * (at least once) rather than losing the notification; a repeated event after success finds the mark.
 */
async function markSettled(stopped: StoppedPublish, table: string): Promise<void> {
  await dynamo.send(
    new UpdateCommand({
      TableName: table,
      Key: { assetId: stopped.request.assetId },
      ConditionExpression: 'publishId = :publishId',
      UpdateExpression: 'SET settledStop = :stop',
      ExpressionAttributeValues: { ':publishId': stopped.request.publishId, ':stop': stopKey(stopped) },
    }),
  );
}

/** One stop of one execution: a redrive that stops again is a new stop. */
function stopKey(stopped: StoppedPublish): string {
  return `${stopped.executionArn}#${String(stopped.redriveCount)}`;
}

/**
 * FAILED, as RecordFailure writes it, only while the record is this publish's, not in a final status and this stop
 * not settled yet.
 */
async function recordFailure(stopped: StoppedPublish, failedState: string, table: string): Promise<boolean> {
  const { assetId, publishId, source } = stopped.request;
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: table,
        Key: { assetId },
        // settledStop (set by markSettled) makes a repeated event (EventBridge delivers at least once; local mode
        // re-announces after a crash) a no-op: one dead letter and one notification per stop.
        ConditionExpression:
          '(attribute_not_exists(publishId) OR publishId = :publishId) AND NOT (#status IN (:ready, :rejected, :unpublished))' +
          ' AND (attribute_not_exists(settledStop) OR settledStop <> :stop)',
        UpdateExpression:
          'SET #status = :failed, #error = :error, publishId = :publishId, executionArn = :executionArn, ' +
          '#source = if_not_exists(#source, :source), createdAt = if_not_exists(createdAt, :now), updatedAt = :now ' +
          'REMOVE expiresAt',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error', '#source': 'source' },
        ExpressionAttributeValues: {
          ':publishId': publishId,
          ':ready': FINAL_STATUSES[0],
          ':rejected': FINAL_STATUSES[1],
          ':unpublished': FINAL_STATUSES[2],
          ':failed': 'FAILED',
          ':error': { state: failedState, code: stopped.error, cause: stopped.cause, failedAt: stopped.stoppedAt },
          ':executionArn': stopped.executionArn,
          ':stop': stopKey(stopped),
          ':source': source,
          ':now': stopped.stoppedAt,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
    throw error;
  }
}
