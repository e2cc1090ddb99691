import '../support/function-env';
import {
  GetJobCommand,
  MediaConvertClient,
  MediaConvertServiceException,
  NotFoundException,
} from '@aws-sdk/client-mediaconvert';
import { SendTaskFailureCommand, SendTaskHeartbeatCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { TranscodeJobRecord } from '../../functions/commons/transcode-job-record';
import { handler } from '../../functions/transcode-watchdog/handler';

const sfn = mockClient(SFNClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const mediaConvert = mockClient(MediaConvertClient);

const TABLE = 'vodflow-test-transcode-jobs';

function waiting(n: number, jobId: string | undefined): TranscodeJobRecord {
  return {
    correlationId: `correlation-${String(n)}`,
    taskToken: `token-${String(n)}`,
    assetId: `asset-${String(n)}`,
    publishId: `asset-${String(n)}-0123456789abcdef`,
    destinationPrefix: `s3://vodflow-dev-media/assets/asset-${String(n)}/`,
    renditions: [],
    trickplay: { intervalSeconds: 6, width: 320, height: 180 },
    templateVersion: 'publish-cmaf.v1',
    expiresAt: 1795316400,
    ...(jobId ? { jobId } : {}),
  };
}

function jobs(statuses: Record<string, { Status: string; ErrorCode?: number; ErrorMessage?: string } | 'gone'>): void {
  for (const [id, job] of Object.entries(statuses)) {
    const call = mediaConvert.on(GetJobCommand, { Id: id });
    if (job === 'gone') {
      call.rejects(new NotFoundException({ message: `The job ${id} does not exist`, $metadata: {} }));
    } else {
      call.resolves({ Job: { Id: id, Role: 'r', Settings: {}, ...job } as never });
    }
  }
}

describe('transcode-watchdog', () => {
  beforeEach(() => {
    sfn.reset();
    dynamo.reset();
    mediaConvert.reset();
    sfn.onAnyCommand().resolves({});
    dynamo.on(DeleteCommand).resolves({});
  });

  it('heartbeats the executions whose job waits in the queue or runs, and leaves a completed job to its event', async () => {
    // Prepare
    dynamo
      .on(ScanCommand)
      .resolvesOnce({
        Items: [waiting(1, 'job-queued'), waiting(2, 'job-running')],
        LastEvaluatedKey: { correlationId: 'x' },
      })
      .resolvesOnce({ Items: [waiting(3, 'job-done'), waiting(4, undefined)] });
    jobs({
      'job-queued': { Status: 'SUBMITTED' },
      'job-running': { Status: 'PROGRESSING' },
      'job-done': { Status: 'COMPLETE' },
    });

    // Act
    const report = await handler();

    // Assess
    expect(report).toEqual({ checked: 3, heartbeats: 2, failed: 0, stale: 0, notSubmitted: 1 });
    expect(sfn.commandCalls(SendTaskHeartbeatCommand).map((call) => call.args[0].input.taskToken)).toEqual([
      'token-1',
      'token-2',
    ]);
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
    expect(dynamo).not.toHaveReceivedCommand(DeleteCommand);
    expect(dynamo).toHaveReceivedCommandWith(ScanCommand, { TableName: TABLE, ConsistentRead: true });
  });

  it('fails the execution of a job that ended in ERROR, was canceled or is gone, and forgets its token', async () => {
    dynamo
      .on(ScanCommand)
      .resolves({ Items: [waiting(1, 'job-error'), waiting(2, 'job-canceled'), waiting(3, 'job-gone')] });
    jobs({
      'job-error': { Status: 'ERROR', ErrorCode: 1401, ErrorMessage: 'Access denied to the output bucket' },
      'job-canceled': { Status: 'CANCELED' },
      'job-gone': 'gone',
    });

    const report = await handler();

    expect(report).toMatchObject({ checked: 3, heartbeats: 0, failed: 3 });
    expect(sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input)).toEqual([
      {
        taskToken: 'token-1',
        error: 'MediaConvertJobFailed',
        cause: 'MediaConvert job job-error failed with error 1401: Access denied to the output bucket',
      },
      { taskToken: 'token-2', error: 'MediaConvertJobCanceled', cause: 'MediaConvert job job-canceled was canceled' },
      { taskToken: 'token-3', error: 'MediaConvertJobMissing', cause: 'MediaConvert job job-gone does not exist' },
    ]);
    expect(dynamo.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key)).toEqual([
      { correlationId: 'correlation-1' },
      { correlationId: 'correlation-2' },
      { correlationId: 'correlation-3' },
    ]);
  });

  it("rejects the source of a job whose event was lost when its error code is the file's own fault", async () => {
    dynamo.on(ScanCommand).resolves({ Items: [waiting(1, 'job-bad-file')] });
    jobs({ 'job-bad-file': { Status: 'ERROR', ErrorCode: 1076, ErrorMessage: 'Unexpected end of file' } });

    await handler();

    const [failure] = sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);
    expect(failure?.error).toBe('SourceRejected');
    expect(JSON.parse(failure?.cause ?? '{}')).toMatchObject({ errorType: 'SourceRejected' });
    expect(failure?.cause).not.toContain('Unexpected end of file');
  });

  it('forgets the token of an execution that no longer waits', async () => {
    dynamo.on(ScanCommand).resolves({ Items: [waiting(1, 'job-queued')] });
    jobs({ 'job-queued': { Status: 'SUBMITTED' } });
    sfn.on(SendTaskHeartbeatCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    const report = await handler();

    expect(report).toMatchObject({ heartbeats: 0, stale: 1 });
    expect(dynamo).toHaveReceivedCommandWith(DeleteCommand, {
      TableName: TABLE,
      Key: { correlationId: 'correlation-1' },
    });
  });

  it('throws on a MediaConvert throttle, so the next run tries again', async () => {
    dynamo.on(ScanCommand).resolves({ Items: [waiting(1, 'job-queued')] });
    mediaConvert
      .on(GetJobCommand)
      .rejects(new MediaConvertServiceException({ name: 'TooManyRequestsException', $fault: 'client', $metadata: {} }));

    await expect(handler()).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    expect(sfn).not.toHaveReceivedCommand(SendTaskHeartbeatCommand);
  });
});
