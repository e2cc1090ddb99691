import type { EventBridgeEvent, S3ObjectCreatedNotificationEventDetail } from 'aws-lambda';
import { requiredEnv } from '../commons/config';
import { logger } from '../commons/logger';
import { publishRequestFor } from './asset-identity';
import { parseObjectCreated } from './parse-object-created';
import { startPublishExecution, type StartOutcome } from './start-execution';

export type ObjectCreatedEvent = EventBridgeEvent<'Object Created', S3ObjectCreatedNotificationEventDetail>;
export type StartPublishResult = StartOutcome | { started: false; ignored: 'folder' };

let stateMachineArn: string | undefined;
/** Read on first use and kept: a missing variable fails the first invocation with MissingConfiguration. */
function config(): { stateMachineArn: string } {
  stateMachineArn ??= requiredEnv('STATE_MACHINE_ARN');
  return { stateMachineArn };
}

/**
 * EventBridge "Object Created" on the source bucket -> one publish-video execution per object version. Errors other
 * than a duplicate are thrown so that EventBridge retries the event and finally sends it to its DLQ.
 */
export async function handler(event: ObjectCreatedEvent): Promise<StartPublishResult> {
  const { stateMachineArn } = config();
  const created = parseObjectCreated(event);
  if (created.kind === 'folder') {
    logger.info('folder placeholder ignored', { bucket: created.bucket, key: created.key });
    return { started: false, ignored: 'folder' };
  }

  const request = publishRequestFor(created.source);
  const { assetId, publishId, source } = request;
  const outcome = await startPublishExecution(stateMachineArn, request);
  if (outcome.started) {
    logger.info('execution started', {
      assetId,
      publishId,
      bucket: source.bucket,
      key: source.key,
      executionArn: outcome.executionArn,
    });
  } else {
    logger.info('duplicate event, execution exists', { assetId, publishId, bucket: source.bucket, key: source.key });
  }
  return outcome;
}
