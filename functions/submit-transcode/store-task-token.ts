import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../commons/clients/dynamo';
import { isAwsError } from '../commons/errors';
import type { TranscodeJobRecord } from '../commons/transcode-job-record';

/** Stored before the job is created, so even an instantly finished job finds its token. */
export async function storeTaskToken(table: string, record: TranscodeJobRecord): Promise<void> {
  await dynamo.send(new PutCommand({ TableName: table, Item: record }));
}

/**
 * Adds the job id once CreateJob answered, for transcode-watchdog's GetJob. Only while the record exists: a job that
 * already ended had its record removed by the callback, and must not get it back.
 */
export async function storeJobId(table: string, record: TranscodeJobRecord & { jobId: string }): Promise<void> {
  try {
    await dynamo.send(
      new PutCommand({ TableName: table, Item: record, ConditionExpression: 'attribute_exists(correlationId)' }),
    );
  } catch (error) {
    if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
  }
}
