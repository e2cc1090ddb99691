import { DeleteCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { GetJobCommand } from '@aws-sdk/client-mediaconvert';
import { dynamo } from '../commons/clients/dynamo';
import { mediaConvert } from '../commons/clients/media-convert';
import { isAwsError } from '../commons/errors';
import type { TranscodeJobRecord } from '../commons/transcode-job-record';
import type { JobState } from './judge-waiting-job';

/** Every stored task token: the table holds only executions still waiting on a job, so a scan stays small. */
export async function* waitingJobRecords(table: string): AsyncGenerator<TranscodeJobRecord> {
  for await (const page of paginateScan({ client: dynamo }, { TableName: table, ConsistentRead: true })) {
    for (const item of page.Items ?? []) yield item as TranscodeJobRecord;
  }
}

/** GetJob; undefined when MediaConvert answers NotFound (the job is gone). */
export async function getJobState(jobId: string): Promise<JobState | undefined> {
  try {
    const { Job: job } = await mediaConvert.send(new GetJobCommand({ Id: jobId }));
    if (!job?.Status) return undefined;
    return {
      status: job.Status,
      ...(job.ErrorCode === undefined ? {} : { errorCode: job.ErrorCode }),
      ...(job.ErrorMessage === undefined ? {} : { errorMessage: job.ErrorMessage }),
    };
  } catch (error) {
    if (isAwsError(error, 'NotFoundException')) return undefined;
    throw error;
  }
}

export async function forgetJobRecord(table: string, correlationId: string): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: table, Key: { correlationId } }));
}
