import 'aws-sdk-client-mock-jest';
import '../support/function-env';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidEvent } from '../../functions/commons/errors';
import { handler } from '../../functions/settle-stopped-execution/handler';
import type { ExecutionStatusChangeEvent } from '../../functions/settle-stopped-execution/execution-status-change';
import timedOut from '../../events/states/execution-timed-out.json';

const DEAD_LETTER_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/vodflow-test-dead-letters';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:vodflow-test-notifications';
const EXECUTION_ARN = timedOut.detail.executionArn;
const ASSET_ID = '5d41402abc4b2a76b9719d911017c592';
const PUBLISH_ID = '5d41402abc4b2a76b9719d911017c592-3f2a9c1e';

const sfn = mockClient(SFNClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
const context = {} as never;

/** The timed-out fixture, changed: other status, error, input (undefined drops the field). */
function eventWith(detail: Record<string, unknown> = {}): ExecutionStatusChangeEvent {
  const event = structuredClone(timedOut) as { detail: Record<string, unknown> };
  for (const [field, value] of Object.entries(detail)) {
    if (value === undefined) Reflect.deleteProperty(event.detail, field);
    else event.detail[field] = value;
  }
  return event as unknown as ExecutionStatusChangeEvent;
}

/** A history, newest first as reverseOrder returns it, whose last entered state is `state`. */
function historyEndingIn(state: string): HistoryEvent[] {
  return [
    { id: 9, type: 'ExecutionTimedOut', timestamp: new Date() },
    { id: 8, type: 'TaskScheduled', timestamp: new Date() },
    { id: 7, type: 'TaskStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name: state } },
    { id: 6, type: 'TaskStateExited', timestamp: new Date(), stateExitedEventDetails: { name: 'RecordAsset' } },
  ];
}

function deadLetter(): Record<string, unknown> {
  const [call] = sqs.commandCalls(SendMessageCommand);
  return JSON.parse(call?.args[0].input.MessageBody ?? '{}') as Record<string, unknown>;
}

beforeEach(() => {
  Object.assign(process.env, { DEAD_LETTER_QUEUE_URL, NOTIFICATIONS_TOPIC_ARN: TOPIC_ARN });
  for (const client of [sfn, dynamo, sqs, sns]) client.reset();
  sfn.on(DescribeExecutionCommand).resolves({ redriveCount: 2, input: timedOut.detail.input });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: historyEndingIn('Transcode') });
  dynamo.on(UpdateCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  sns.on(PublishCommand).resolves({ MessageId: 'n-1' });
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('settle-stopped-execution', () => {
  it('records FAILED at the state the execution stopped in, with one dead letter and one video.failed', async () => {
    // Act
    const result = await handler(eventWith(), context);

    // Assess
    expect(result).toEqual({ settled: true });
    const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual({ assetId: ASSET_ID });
    expect(update?.ConditionExpression).toContain('publishId = :publishId');
    expect(update?.ExpressionAttributeValues).toMatchObject({
      ':failed': 'FAILED',
      ':publishId': PUBLISH_ID,
      ':error': { state: 'Transcode', code: 'States.Timeout', cause: 'The execution timed out' },
    });
    expect(update?.UpdateExpression).toContain('REMOVE expiresAt');
    expect(update?.ConditionExpression).toContain('settledStop <> :stop');
    expect(update?.ExpressionAttributeValues?.[':stop']).toBe(`${EXECUTION_ARN}#2`);
    const marked = dynamo.commandCalls(UpdateCommand)[1]?.args[0].input;
    expect(marked?.UpdateExpression).toBe('SET settledStop = :stop');
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(deadLetter()).toMatchObject({
      executionArn: EXECUTION_ARN,
      assetId: ASSET_ID,
      publishId: PUBLISH_ID,
      failedState: 'Transcode',
      redriveCount: 2,
      executionStatus: 'TIMED_OUT',
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const notice = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(JSON.parse(notice?.Message ?? '{}')).toMatchObject({ event: 'video.failed', failedState: 'Transcode' });
    expect(notice?.MessageAttributes?.event).toEqual({ DataType: 'String', StringValue: 'video.failed' });
  });

  it('marks the stop settled only after the dead letter and the notification are out, so a retry loses neither', async () => {
    sns.on(PublishCommand).rejectsOnce(new Error('throttled')).resolves({ MessageId: 'n-2' });

    await expect(handler(eventWith(), context)).rejects.toThrow('throttled');
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(1);
    await handler(eventWith(), context);

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input.UpdateExpression)).toContain(
      'SET settledStop = :stop',
    );
  });

  it('does nothing when the execution ended at AwaitRedrive: its own failure path already did it all', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyEndingIn('AwaitRedrive') });

    const result = await handler(eventWith({ status: 'FAILED', error: 'States.NoChoiceMatched' }), context);

    expect(result).toEqual({ settled: false, reason: 'failure-path-complete' });
    expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('settles a failure inside the failure path, so the redrive continues at that step', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyEndingIn('NotifyFailure') });

    await handler(eventWith({ status: 'FAILED', error: 'SNS.KMSDisabledException', cause: 'key disabled' }), context);

    expect(deadLetter()).toMatchObject({ failedState: 'NotifyFailure', error: 'SNS.KMSDisabledException' });
  });

  it('leaves a record another publish owns, or one already READY, alone: no dead letter, no notification', async () => {
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    const result = await handler(eventWith({ status: 'ABORTED', error: undefined, cause: undefined }), context);

    expect(result).toEqual({ settled: false, reason: 'record-moved-on-or-settled' });
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('names an operator Stop without error ExecutionAborted, and reads the input when the event left it out', async () => {
    const result = await handler(
      eventWith({
        status: 'ABORTED',
        error: undefined,
        cause: undefined,
        input: undefined,
        inputDetails: { included: false },
      }),
      context,
    );

    expect(result).toEqual({ settled: true });
    expect(deadLetter()).toMatchObject({ error: 'ExecutionAborted', assetId: ASSET_ID, executionStatus: 'ABORTED' });
  });

  it('reads no further than the page that holds the last entered state', async () => {
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [{ id: 50, type: 'ExecutionAborted', timestamp: new Date() }], nextToken: 'page-2' })
      .resolves({ events: historyEndingIn('RegisterAsset') });

    await handler(eventWith({ status: 'ABORTED' }), context);

    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({ reverseOrder: true, executionArn: EXECUTION_ARN }),
      expect.objectContaining({ reverseOrder: true, nextToken: 'page-2' }),
    ]);
    expect(deadLetter()).toMatchObject({ failedState: 'RegisterAsset' });
  });

  it('ignores statuses that need nothing and executions that are not publishes', async () => {
    await expect(handler(eventWith({ status: 'SUCCEEDED' }), context)).resolves.toEqual({
      settled: false,
      reason: 'not-stopped',
    });
    await expect(handler(eventWith({ input: '{"hello":"world"}' }), context)).resolves.toEqual({
      settled: false,
      reason: 'not-a-publish',
    });
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('refuses an event of another source as InvalidEvent, so the wiring error is seen', async () => {
    const wrong = { ...eventWith(), source: 'aws.s3' } as ExecutionStatusChangeEvent;

    await expect(handler(wrong, context)).rejects.toThrow(InvalidEvent);
  });
});
