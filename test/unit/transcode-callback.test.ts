import '../support/function-env';
import {
  SFNClient,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNServiceException,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InvalidEvent } from '../../functions/commons/errors';
import type { TranscodeJobRecord } from '../../functions/commons/transcode-job-record';
import { handler } from '../../functions/transcode-callback/handler';
import canceled from '../../events/mediaconvert/canceled.json';
import complete from '../../events/mediaconvert/complete.json';
import failed from '../../events/mediaconvert/error.json';
import foreignJob from '../../events/mediaconvert/complete-foreign-job.json';
import statusUpdate from '../../events/mediaconvert/status-update.json';

const sfn = mockClient(SFNClient);
const dynamo = mockClient(DynamoDBDocumentClient);

const correlationId = '5e0f3c1b2a4d6e8f0a1b2c3d4e5f6a7b';
const prefix = 's3://vodflow-dev-media/assets/4f9c2b7e1a6d4e0c9b3a/4f9c2b7e1a6d4e0c9b3a-0123456789abcdef/';
const record: TranscodeJobRecord = {
  correlationId,
  taskToken: 'AQCEAAAAKgAAAAMAAAAAAAAAAeExampleTaskToken',
  assetId: '4f9c2b7e1a6d4e0c9b3a',
  publishId: '4f9c2b7e1a6d4e0c9b3a-0123456789abcdef',
  destinationPrefix: prefix,
  templateVersion: 'publish-mp4.v1',
  renditions: [
    { name: '1080p', width: 1920, height: 1080, maxBitrate: 6_000_000, codec: 'h264' },
    { name: '720p', width: 1280, height: 720, maxBitrate: 3_500_000, codec: 'h264' },
  ],
  audioLanguage: 'eng',
  trickplay: { intervalSeconds: 6, width: 320, height: 180 },
  expiresAt: 1795316400,
};

function jobIsKnown(): void {
  dynamo.on(GetCommand, { Key: { correlationId } }).resolves({ Item: record });
}

describe('transcode-callback', () => {
  beforeEach(() => {
    sfn.reset();
    dynamo.reset();
    sfn.onAnyCommand().resolves({});
    dynamo.on(UpdateCommand).resolves({});
    dynamo.on(DeleteCommand).resolves({});
  });

  it('answers COMPLETE with SendTaskSuccess carrying the outputs, then forgets the token', async () => {
    // Prepare
    jobIsKnown();

    // Act
    const result = await handler(complete);

    // Assess
    expect(result).toEqual({ outcome: 'succeeded' });
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, {
      TableName: 'vodflow-test-transcode-jobs',
      Key: { correlationId },
      ConsistentRead: true,
    });
    const sent = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(sent?.taskToken).toBe(record.taskToken);
    expect(JSON.parse(sent?.output ?? '{}')).toEqual({
      jobId: '1795230000000-a1b2c3',
      mp4Files: [`${prefix}mp4/index_1080p.mp4`, `${prefix}mp4/index_720p.mp4`],
      audioLanguage: 'eng',
      poster: `${prefix}images/index_poster.0000001.jpg`,
      trickplay: {
        lastCapture: `${prefix}images/index_thumbnails.0000005.jpg`,
        intervalSeconds: 6,
        width: 320,
        height: 180,
      },
      durationSeconds: 30.03,
      renditions: record.renditions,
      renditionsAttribute: {
        L: [
          {
            M: {
              name: { S: '1080p' },
              width: { N: '1920' },
              height: { N: '1080' },
              maxBitrate: { N: '6000000' },
              codec: { S: 'h264' },
            },
          },
          {
            M: {
              name: { S: '720p' },
              width: { N: '1280' },
              height: { N: '720' },
              maxBitrate: { N: '3500000' },
              codec: { S: 'h264' },
            },
          },
        ],
      },
    });
    expect(dynamo).toHaveReceivedCommandWith(DeleteCommand, {
      TableName: 'vodflow-test-transcode-jobs',
      Key: { correlationId },
    });
  });

  it("answers ERROR for the file's own fault (1030, unsupported codec) as SourceRejected with a sentence for the uploader", async () => {
    jobIsKnown();

    await expect(handler(failed)).resolves.toEqual({ outcome: 'failed' });

    const [failure] = sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);
    expect(failure).toMatchObject({ taskToken: record.taskToken, error: 'SourceRejected' });
    expect(JSON.parse(failure?.cause ?? '{}')).toEqual({
      errorType: 'SourceRejected',
      errorMessage: 'the uploaded file uses a codec or container that is not supported',
      reason: 'mediaconvert-1030',
    });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect(dynamo).toHaveReceivedCommand(DeleteCommand);
  });

  it("answers ERROR that is the stack's fault (1401, permissions) with MediaConvert's code and message, for the operator", async () => {
    jobIsKnown();
    const denied = structuredClone(failed);
    Object.assign(denied.detail, { errorCode: 1401, errorMessage: 'Access Denied on the output bucket' });

    await expect(handler(denied)).resolves.toEqual({ outcome: 'failed' });

    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: record.taskToken,
      error: 'MediaConvertJobFailed',
      cause: 'MediaConvert job 1795230000000-a1b2c3 failed with error 1401: Access Denied on the output bucket',
    });
  });

  it('answers CANCELED with SendTaskFailure', async () => {
    jobIsKnown();

    await handler(canceled);

    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: record.taskToken,
      error: 'MediaConvertJobCanceled',
      cause: 'MediaConvert job 1795230000000-a1b2c3 was canceled',
    });
  });

  it('answers STATUS_UPDATE with a heartbeat and writes the progress to the catalogue', async () => {
    jobIsKnown();

    await expect(handler(statusUpdate)).resolves.toEqual({ outcome: 'heartbeat' });

    expect(sfn).toHaveReceivedCommandWith(SendTaskHeartbeatCommand, { taskToken: record.taskToken });
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'vodflow-test-catalogue',
      Key: { assetId: record.assetId },
      ConditionExpression: 'publishId = :publishId',
      ExpressionAttributeValues: expect.objectContaining({
        ':publishId': record.publishId,
        ':status': 'TRANSCODING',
        ':job': { id: '1795230000000-a1b2c3', progress: 42 },
      }) as unknown,
    });
    expect(dynamo).not.toHaveReceivedCommand(DeleteCommand);
  });

  it('keeps heart-beating when a newer publish owns the catalogue record', async () => {
    jobIsKnown();
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));

    await expect(handler(statusUpdate)).resolves.toEqual({ outcome: 'heartbeat' });
    expect(sfn).toHaveReceivedCommand(SendTaskHeartbeatCommand);
  });

  it('ignores jobs vodflow did not submit', async () => {
    await expect(handler(foreignJob)).resolves.toEqual({ outcome: 'ignored' });

    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('ignores jobs whose execution is no longer waiting (token already answered or expired)', async () => {
    dynamo.on(GetCommand).resolves({});

    await expect(handler(complete)).resolves.toEqual({ outcome: 'ignored' });

    expect(sfn.calls()).toHaveLength(0);
  });

  it('treats a timed-out token as stale: no throw, token forgotten', async () => {
    jobIsKnown();
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    await expect(handler(complete)).resolves.toEqual({ outcome: 'stale' });

    expect(dynamo).toHaveReceivedCommand(DeleteCommand);
  });

  it('throws on throttling so EventBridge retries the event, and keeps the token', async () => {
    jobIsKnown();
    const throttled = new SFNServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: {},
    });
    sfn.on(SendTaskSuccessCommand).rejects(throttled);

    await expect(handler(complete)).rejects.toThrow('Rate exceeded');

    expect(dynamo).not.toHaveReceivedCommand(DeleteCommand);
  });

  it('reads the MP4 of each planned rung by its name, whatever the order MediaConvert reports them in', async () => {
    jobIsKnown();
    const reordered = structuredClone(complete);
    reordered.detail.outputGroupDetails.reverse();
    reordered.detail.outputGroupDetails[1]?.outputDetails.reverse();

    await expect(handler(reordered)).resolves.toEqual({ outcome: 'succeeded' });

    const sent = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(JSON.parse(sent?.output ?? '{}')).toMatchObject({
      mp4Files: [`${prefix}mp4/index_1080p.mp4`, `${prefix}mp4/index_720p.mp4`],
    });
  });

  it('leaves the audio language out for a silent source', async () => {
    const silent: TranscodeJobRecord = { ...record };
    delete silent.audioLanguage;
    dynamo.on(GetCommand, { Key: { correlationId } }).resolves({ Item: silent });

    await handler(complete);

    const sent = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(JSON.parse(sent?.output ?? '{}')).not.toHaveProperty('audioLanguage');
  });

  it('fails the task when a COMPLETE event lacks the frame captures the workflow needs', async () => {
    jobIsKnown();
    const incomplete = structuredClone(complete);
    incomplete.detail.outputGroupDetails = incomplete.detail.outputGroupDetails.slice(0, 1);

    await expect(handler(incomplete)).resolves.toEqual({ outcome: 'failed' });

    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: record.taskToken,
      error: 'TranscodeOutputsMissing',
      cause: 'job 1795230000000-a1b2c3 completed without a poster, trick-play thumbnails',
    });
  });

  it('fails the task when a planned rung has no MP4 in the COMPLETE event', async () => {
    jobIsKnown();
    const incomplete = structuredClone(complete);
    incomplete.detail.outputGroupDetails[0]?.outputDetails.splice(1, 1);

    await expect(handler(incomplete)).resolves.toEqual({ outcome: 'failed' });

    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: record.taskToken,
      error: 'TranscodeOutputsMissing',
      cause: 'job 1795230000000-a1b2c3 completed without the 720p MP4',
    });
  });

  it('rejects an event that is not from MediaConvert', async () => {
    await expect(handler({ source: 'aws.s3', detail: {} })).rejects.toThrow(InvalidEvent);
  });
});
