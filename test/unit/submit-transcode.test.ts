import '../support/function-env';
import { CreateJobCommand, MediaConvertClient, TooManyRequestsException } from '@aws-sdk/client-mediaconvert';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { correlationIdFor } from '../../functions/commons/transcode-job-record';
import type { SourceMedia } from '../../functions/commons/types';
import { handler } from '../../functions/submit-transcode/handler';
import input from '../../events/states/submit-transcode.json';

const mediaConvert = mockClient(MediaConvertClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const correlationId = correlationIdFor(input.taskToken);
const prefix = `s3://vodflow-dev-media/assets/${input.assetId}/${input.publishId}/`;

describe('submit-transcode', () => {
  beforeEach(() => {
    mediaConvert.reset();
    dynamo.reset();
    mediaConvert.on(CreateJobCommand).resolves({ Job: { Id: '1795230000000-a1b2c3', Role: 'r', Settings: {} } });
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
  });

  it('stores the task token first, then submits the job carrying only a correlation id', async () => {
    // Act
    const result = await handler(input);

    // Assess
    expect(result).toEqual({ jobId: '1795230000000-a1b2c3', correlationId });
    expect(correlationId).toMatch(/^[0-9a-f]{32}$/);
    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put).toEqual({
      TableName: 'vodflow-test-transcode-jobs',
      Item: {
        correlationId,
        taskToken: input.taskToken,
        assetId: input.assetId,
        publishId: input.publishId,
        destinationPrefix: prefix,
        renditions: expect.arrayContaining([expect.objectContaining({ name: '1080p', width: 1920, height: 1080 })]),
        audioLanguage: 'eng',
        trickplay: { intervalSeconds: 6, width: 320, height: 180 },
        templateVersion: 'publish-mp4.v1',
        expiresAt: expect.any(Number),
      },
    });
    const job = mediaConvert.commandCalls(CreateJobCommand)[0]?.args[0].input;
    expect(job).toMatchObject({
      Role: 'arn:aws:iam::123456789012:role/vodflow-test-mediaconvert',
      Queue: 'arn:aws:mediaconvert:us-east-1:123456789012:queues/vodflow-dev',
      ClientRequestToken: correlationId,
      UserMetadata: { correlationId },
      StatusUpdateInterval: 'SECONDS_60',
    });
    expect(JSON.stringify(job?.UserMetadata)).not.toContain(input.taskToken);
    expect(job?.Settings?.Inputs?.[0]?.FileInput).toBe(`s3://${input.source.bucket}/${input.source.key}`);
    const storeCall = dynamo.commandCalls(PutCommand)[0];
    const submitCall = mediaConvert.commandCalls(CreateJobCommand)[0];
    expect(storeCall && submitCall && storeCall.calledBefore(submitCall)).toBe(true);
  });

  it('records the audio language as und when the probe gave none, and none for a silent source', async () => {
    const unlabelled: SourceMedia = { ...input.media };
    delete unlabelled.audioLanguage;

    await handler({ ...input, media: unlabelled });
    await handler({ ...input, media: { ...unlabelled, hasAudio: false } });

    // The token records stored before each CreateJob (the later, conditional put adds the job id).
    const records = dynamo
      .commandCalls(PutCommand)
      .map((call) => call.args[0].input)
      .filter((put) => put.ConditionExpression === undefined)
      .map((put) => put.Item);
    expect(records[0]).toMatchObject({ audioLanguage: 'und' });
    expect(records[1]).not.toHaveProperty('audioLanguage');
  });

  it('adds the job id to the stored token once MediaConvert answered, unless the record is already gone', async () => {
    dynamo
      .on(PutCommand, { ConditionExpression: 'attribute_exists(correlationId)' })
      .rejects(new ConditionalCheckFailedException({ message: 'gone', $metadata: {} }));

    await expect(handler(input)).resolves.toMatchObject({ jobId: '1795230000000-a1b2c3' });

    const [, withJob] = dynamo.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(withJob).toMatchObject({
      TableName: 'vodflow-test-transcode-jobs',
      Item: { correlationId, taskToken: input.taskToken, jobId: '1795230000000-a1b2c3' },
      ConditionExpression: 'attribute_exists(correlationId)',
    });
    const submitCall = mediaConvert.commandCalls(CreateJobCommand)[0];
    const jobIdCall = dynamo.commandCalls(PutCommand)[1];
    expect(submitCall && jobIdCall && submitCall.calledBefore(jobIdCall)).toBe(true);
  });

  it('marks the catalogue record TRANSCODING with the job id, only for the publish that owns it', async () => {
    await handler(input);

    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'vodflow-test-catalogue',
      Key: { assetId: input.assetId },
      ConditionExpression: 'publishId = :publishId',
      ExpressionAttributeValues: expect.objectContaining({
        ':status': 'TRANSCODING',
        ':publishId': input.publishId,
        ':job': { id: '1795230000000-a1b2c3', progress: 0 },
      }) as unknown,
    });
  });

  it('still submits when a newer publish owns the catalogue record', async () => {
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));

    await expect(handler(input)).resolves.toMatchObject({ jobId: '1795230000000-a1b2c3' });
  });

  it('reuses the same correlation id on a retried invocation, so MediaConvert returns the same job', async () => {
    await handler(input);
    await handler(input);

    const tokens = mediaConvert.commandCalls(CreateJobCommand).map((call) => call.args[0].input.ClientRequestToken);
    expect(tokens).toEqual([correlationId, correlationId]);
  });

  it('lets MediaConvert throttling through for the state machine to retry', async () => {
    mediaConvert.on(CreateJobCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: {} }));

    await expect(handler(input)).rejects.toThrow(TooManyRequestsException);
    expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
  });
});
