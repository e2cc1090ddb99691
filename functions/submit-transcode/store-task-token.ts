import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../commons/clients/dynamo';
import type { TranscodeJobRecord } from '../commons/transcode-job-record';

/** Stored before the job is created, so even an instantly finished job finds its token. */
export async function storeTaskToken(table: string, record: TranscodeJobRecord): Promise<void> {
  await dynamo.send(new PutCommand({ TableName: table, Item: record }));
}
