import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../commons/clients/dynamo';
import type { TranscodeJobRecord } from '../commons/transcode-job-record';

export async function findJobRecord(table: string, correlationId: string): Promise<TranscodeJobRecord | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: table, Key: { correlationId }, ConsistentRead: true }),
  );
  return Item as TranscodeJobRecord | undefined;
}

/** Once the execution has its answer the token is useless; removing it keeps the table to jobs in flight. */
export async function forgetJobRecord(table: string, correlationId: string): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: table, Key: { correlationId } }));
}
