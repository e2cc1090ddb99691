import 'aws-sdk-client-mock-jest';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionDoesNotExist,
  ExecutionLimitExceeded,
  ExecutionNotRedrivable,
  RedriveExecutionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidEvent } from '../../functions/commons/errors';
import { handler, type RedriveReport } from '../../functions/redrive/handler';
import deadLetterFixture from '../../events/sqs/dead-letter-message.json';
import replayAll from '../../events/redrive/replay-all.json';
import replayOne from '../../events/redrive/replay-one.json';

type HandlerModule = typeof import('../../functions/redrive/handler');
type ErrorsModule = typeof import('../../functions/commons/errors');

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:vodflow-dev-publish-video';
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/vodflow-dev-publish-dead-letters';
const EXECUTION_ARN = deadLetterFixture.executionArn;
const MESSAGE_ID = '5b3c1a2e-8f4d-4c6b-9a7e-1d2f3a4b5c6d';
/** sha256('message:' + MESSAGE_ID), 48 hex, then the execution's redrive count before this redrive. */
const CLIENT_TOKEN = '83385238b6610b5d0965aeb44187e08000d74968cab01f78-0';
const REDRIVE_DATE = new Date('2026-11-21T06:00:00.000Z');

const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
let stdout: jest.SpyInstance;

function executionArn(name: string): string {
  return `arn:aws:states:us-east-1:123456789012:execution:vodflow-dev-publish-video:${name}`;
}

/** A DLQ message as ReceiveMessage returns it, with the fixture body (or another body). */
function dlqMessage(messageId: string, body: unknown = deadLetterFixture): Message {
  return {
    MessageId: messageId,
    ReceiptHandle: `receipt-${messageId}`,
    MD5OfBody: 'ignored',
    Body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

function queueHolds(...batches: Message[][]): void {
  const receive = sqs.on(ReceiveMessageCommand);
  for (const batch of batches) receive.resolvesOnce({ Messages: batch });
  receive.resolves({});
}

function executionIs(arn: string, state: Partial<DescribeExecutionCommandOutput>): void {
  sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves({
    executionArn: arn,
    stateMachineArn: STATE_MACHINE_ARN,
    startDate: new Date('2026-11-21T04:58:13Z'),
    ...state,
  });
}

const failedExecution = { status: 'FAILED', redriveCount: 0, redriveStatus: 'REDRIVABLE' } as const;

/** A DescribeExecution answer for EXECUTION_ARN with the given state. */
function described(
  state: Omit<DescribeExecutionCommandOutput, 'executionArn' | 'stateMachineArn' | 'startDate' | '$metadata'>,
) {
  return { executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE_ARN, startDate: new Date(), ...state };
}

function inputsOf<T>(mock: typeof sfn | typeof sqs, command: new (input: T) => unknown): T[] {
  return mock.commandCalls(command as never).map((call) => call.args[0].input as T);
}

function report(partial: Partial<RedriveReport>): RedriveReport {
  return {
    mode: 'queue',
    dryRun: false,
    redriven: [],
    alreadyDone: [],
    notRedrivable: [],
    failed: [],
    unreadable: [],
    received: 1,
    stoppedBy: 'queue-empty',
    ...partial,
  };
}

const about = { messageId: MESSAGE_ID, executionArn: EXECUTION_ARN, failedState: 'RegisterAsset' };

beforeEach(() => {
  process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
  process.env.DEAD_LETTER_QUEUE_URL = QUEUE_URL;
  sfn.reset();
  sqs.reset();
  sfn.on(RedriveExecutionCommand).resolves({ redriveDate: REDRIVE_DATE });
  sqs.on(DeleteMessageCommand).resolves({});
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  stdout.mockRestore();
});

describe('redrive: replaying the dead-letter queue', () => {
  it('redrives a failed execution at its failed step, then deletes the message', async () => {
    // Prepare
    queueHolds([dlqMessage(MESSAGE_ID)]);
    executionIs(EXECUTION_ARN, failedExecution);

    // Act
    const result = await handler(replayAll);

    // Assess
    expect(result).toEqual(
      report({
        redriven: [{ outcome: 'redriven', ...about, redriveCount: 1, redriveDate: '2026-11-21T06:00:00.000Z' }],
      }),
    );
    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { QueueUrl: QUEUE_URL });
    expect(inputsOf(sqs, ReceiveMessageCommand)).toEqual([
      { QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 120 },
      { QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 120 },
    ]);
    expect(sfn).toHaveReceivedCommandTimes(RedriveExecutionCommand, 1);
    expect(inputsOf(sfn, RedriveExecutionCommand)).toEqual([
      { executionArn: EXECUTION_ARN, clientToken: CLIENT_TOKEN },
    ]);
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageCommand, 1);
    expect(inputsOf(sqs, DeleteMessageCommand)).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: `receipt-${MESSAGE_ID}` },
    ]);
  });

  it('deletes the message without redriving when the execution already succeeded', async () => {
    // Prepare
    queueHolds([dlqMessage(MESSAGE_ID)]);
    executionIs(EXECUTION_ARN, { status: 'SUCCEEDED', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });

    // Act
    const result = await handler({});

    // Assess
    expect(result).toEqual(
      report({ alreadyDone: [{ outcome: 'already-done', ...about, reason: 'execution succeeded' }] }),
    );
    expect(sfn).not.toHaveReceivedCommand(RedriveExecutionCommand);
    expect(inputsOf(sqs, DeleteMessageCommand)).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: `receipt-${MESSAGE_ID}` },
    ]);
  });

  it('publishes once when the same dead letter is replayed twice: the second replay only deletes it', async () => {
    // Prepare: the first replay's delete is lost, so the message comes back; by then the execution runs again
    queueHolds([dlqMessage(MESSAGE_ID)], [], [dlqMessage(MESSAGE_ID)]);
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce(described({ ...failedExecution }))
      .resolves(described({ status: 'RUNNING', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' }));
    sqs.on(DeleteMessageCommand).rejectsOnce(new Error('connection reset')).resolves({});

    // Act
    const first = await handler({});
    const second = await handler({});

    // Assess
    expect(first.redriven).toEqual([
      expect.objectContaining({ outcome: 'redriven', executionArn: EXECUTION_ARN, redriveCount: 1 }),
    ]);
    expect(second).toEqual(
      report({
        alreadyDone: [{ outcome: 'already-done', ...about, reason: 'execution is RUNNING after 1 redrive(s)' }],
      }),
    );
    expect(sfn).toHaveReceivedCommandTimes(RedriveExecutionCommand, 1);
    expect(inputsOf(sqs, DeleteMessageCommand)).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: `receipt-${MESSAGE_ID}` },
      { QueueUrl: QUEUE_URL, ReceiptHandle: `receipt-${MESSAGE_ID}` },
    ]);
  });

  it('keeps the message of an execution still running the failure path that sent it', async () => {
    // Prepare: RUNNING, and not redriven since the dead letter recorded redriveCount 0
    queueHolds([dlqMessage(MESSAGE_ID)]);
    executionIs(EXECUTION_ARN, { status: 'RUNNING', redriveCount: 0, redriveStatus: 'NOT_REDRIVABLE' });

    // Act
    const result = await handler({});

    // Assess
    expect(result).toEqual(
      report({
        failed: [
          {
            outcome: 'failed',
            ...about,
            reason: 'execution is still on the failure path that sent this message; replay later',
          },
        ],
      }),
    );
    expect(sfn).not.toHaveReceivedCommand(RedriveExecutionCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('keeps the message of an execution that can no longer be redriven, with the reason', async () => {
    // Prepare
    queueHolds([dlqMessage(MESSAGE_ID)]);
    executionIs(EXECUTION_ARN, {
      status: 'FAILED',
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution redrivable period exceeded',
    });

    // Act
    const result = await handler({});

    // Assess
    expect(result).toEqual(
      report({
        notRedrivable: [{ outcome: 'not-redrivable', ...about, reason: 'Execution redrivable period exceeded' }],
      }),
    );
    expect(sfn).not.toHaveReceivedCommand(RedriveExecutionCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('keeps the message of an execution that does not exist', async () => {
    // Prepare
    queueHolds([dlqMessage(MESSAGE_ID)]);
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

    // Act
    const result = await handler({});

    // Assess
    expect(result).toEqual(
      report({ notRedrivable: [{ outcome: 'not-redrivable', ...about, reason: 'execution does not exist' }] }),
    );
    expect(sfn).not.toHaveReceivedCommand(RedriveExecutionCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('refuses an execution of another state machine without calling Step Functions', async () => {
    // Prepare
    const foreignArn = 'arn:aws:states:us-east-1:123456789012:execution:billing-reconcile:run-42';
    queueHolds([dlqMessage(MESSAGE_ID, { ...deadLetterFixture, executionArn: foreignArn })]);

    // Act
    const result = await handler({});

    // Assess
    expect(result).toEqual(
      report({
        notRedrivable: [
          {
            outcome: 'not-redrivable',
            messageId: MESSAGE_ID,
            executionArn: foreignArn,
            failedState: 'RegisterAsset',
            reason:
              'execution of another state machine (arn:aws:states:us-east-1:123456789012:stateMachine:billing-reconcile)',
          },
        ],
      }),
    );
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('reports unreadable messages and keeps them', async () => {
    // Prepare
    queueHolds([
      dlqMessage('m-not-json', 'Execution failed!'),
      dlqMessage('m-no-arn', { assetId: '4f9c2b7e1a6d4e0c9b3a', failedState: 'RegisterAsset' }),
      dlqMessage('m-bad-arn', { ...deadLetterFixture, executionArn: 'vodflow-dev-publish-video/4f9c2b7e' }),
      dlqMessage('m-bad-count', { ...deadLetterFixture, redriveCount: '0' }),
    ]);

    // Act
    const result = await handler({});

    // Assess
    expect(result).toEqual(
      report({
        received: 4,
        unreadable: [
          { outcome: 'unreadable', messageId: 'm-not-json', reason: 'body is not JSON' },
          { outcome: 'unreadable', messageId: 'm-no-arn', reason: 'body has no executionArn' },
          {
            outcome: 'unreadable',
            messageId: 'm-bad-arn',
            reason: 'executionArn is not a Step Functions execution ARN',
          },
          { outcome: 'unreadable', messageId: 'm-bad-count', reason: 'redriveCount is not a non-negative integer' },
        ],
      }),
    );
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('re-checks after ExecutionNotRedrivable: deleted when a console Redrive won the race', async () => {
    // Prepare
    queueHolds([dlqMessage(MESSAGE_ID)]);
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce(described({ ...failedExecution }))
      .resolves(described({ status: 'RUNNING', redriveCount: 1 }));
    sfn
      .on(RedriveExecutionCommand)
      .rejects(new ExecutionNotRedrivable({ message: 'Execution is RUNNING and cannot be redriven', $metadata: {} }));

    // Act
    const result = await handler({});

    // Assess
    expect(result).toEqual(
      report({
        alreadyDone: [{ outcome: 'already-done', ...about, reason: 'execution is RUNNING after 1 redrive(s)' }],
      }),
    );
    expect(sfn).toHaveReceivedCommandTimes(DescribeExecutionCommand, 2);
    expect(inputsOf(sfn, RedriveExecutionCommand)).toEqual([
      { executionArn: EXECUTION_ARN, clientToken: CLIENT_TOKEN },
    ]);
    expect(inputsOf(sqs, DeleteMessageCommand)).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: `receipt-${MESSAGE_ID}` },
    ]);
  });

  it('re-checks after ExecutionNotRedrivable: kept when the redrive window closed', async () => {
    // Prepare
    queueHolds([dlqMessage(MESSAGE_ID)]);
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce(described({ ...failedExecution }))
      .resolves(
        described({
          status: 'FAILED',
          redriveCount: 0,
          redriveStatus: 'NOT_REDRIVABLE',
          redriveStatusReason: 'Execution redrivable period exceeded',
        }),
      );
    sfn
      .on(RedriveExecutionCommand)
      .rejects(new ExecutionNotRedrivable({ message: 'Execution redrivable period exceeded', $metadata: {} }));

    // Act
    const result = await handler({});

    // Assess
    expect(result).toEqual(
      report({
        notRedrivable: [{ outcome: 'not-redrivable', ...about, reason: 'Execution redrivable period exceeded' }],
      }),
    );
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('reports other Step Functions errors as failed and keeps the message for a later replay', async () => {
    // Prepare
    queueHolds([dlqMessage(MESSAGE_ID)]);
    executionIs(EXECUTION_ARN, failedExecution);
    sfn
      .on(RedriveExecutionCommand)
      .rejects(new ExecutionLimitExceeded({ message: 'too many open executions', $metadata: {} }));

    // Act
    const result = await handler({});

    // Assess
    expect(result).toEqual(
      report({
        failed: [{ outcome: 'failed', ...about, reason: 'ExecutionLimitExceeded: too many open executions' }],
      }),
    );
    expect(inputsOf(sfn, RedriveExecutionCommand)).toEqual([
      { executionArn: EXECUTION_ARN, clientToken: CLIENT_TOKEN },
    ]);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('drains a queue of 12 messages received in two batches', async () => {
    // Prepare
    const names = Array.from(
      { length: 12 },
      (_, i) => `asset${String(i).padStart(4, '0')}xyz-00000000000000${String(i).padStart(2, '0')}`,
    );
    const messages = names.map((name, i) =>
      dlqMessage(`m-${String(i)}`, { ...deadLetterFixture, executionArn: executionArn(name) }),
    );
    queueHolds(messages.slice(0, 10), messages.slice(10));
    for (const name of names) executionIs(executionArn(name), failedExecution);

    // Act
    const result = await handler({});

    // Assess
    expect(result.received).toBe(12);
    expect(result.stoppedBy).toBe('queue-empty');
    expect(result.redriven.map((entry) => entry.executionArn)).toEqual(names.map(executionArn));
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 3);
    expect(inputsOf(sfn, RedriveExecutionCommand).map((input) => input.executionArn)).toEqual(names.map(executionArn));
    expect(inputsOf(sqs, DeleteMessageCommand)).toEqual(
      names.map((_, i) => ({ QueueUrl: QUEUE_URL, ReceiptHandle: `receipt-m-${String(i)}` })),
    );
  });

  it('stops at maxMessages and asks only for what is left', async () => {
    // Prepare
    queueHolds([dlqMessage('m-0'), dlqMessage('m-1'), dlqMessage('m-2')]);
    executionIs(EXECUTION_ARN, failedExecution);

    // Act
    const result = await handler({ maxMessages: 3 });

    // Assess
    expect(result).toMatchObject({ received: 3, stoppedBy: 'max-messages' });
    expect(inputsOf(sqs, ReceiveMessageCommand)).toEqual([
      { QueueUrl: QUEUE_URL, MaxNumberOfMessages: 3, WaitTimeSeconds: 1, VisibilityTimeout: 120 },
    ]);
  });

  it('takes no new batch when the function is about to time out', async () => {
    // Prepare
    queueHolds([dlqMessage(MESSAGE_ID)]);

    // Act
    const result = await handler({}, { getRemainingTimeInMillis: () => 5_000 });

    // Assess
    expect(result).toEqual(report({ received: 0, stoppedBy: 'time-limit' }));
    expect(sqs).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });

  it('in a dry run reports what would happen, redrives and deletes nothing, and releases the messages', async () => {
    // Prepare
    const doneArn = executionArn('9b2e7d41c0a84f3e8d15-93b7ed9feece5dbc');
    queueHolds([dlqMessage(MESSAGE_ID), dlqMessage('m-done', { ...deadLetterFixture, executionArn: doneArn })]);
    executionIs(EXECUTION_ARN, failedExecution);
    executionIs(doneArn, { status: 'SUCCEEDED', redriveCount: 1 });

    // Act
    const result = await handler({ dryRun: true });

    // Assess
    expect(result).toEqual(
      report({
        dryRun: true,
        received: 2,
        redriven: [{ outcome: 'redriven', ...about, reason: 'dry run: would redrive', redriveCount: 1 }],
        alreadyDone: [
          {
            outcome: 'already-done',
            messageId: 'm-done',
            executionArn: doneArn,
            failedState: 'RegisterAsset',
            reason: 'execution succeeded',
          },
        ],
      }),
    );
    expect(sfn).not.toHaveReceivedCommand(RedriveExecutionCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(inputsOf(sqs, ChangeMessageVisibilityBatchCommand)).toEqual([
      {
        QueueUrl: QUEUE_URL,
        Entries: [
          { Id: '0', ReceiptHandle: `receipt-${MESSAGE_ID}`, VisibilityTimeout: 0 },
          { Id: '1', ReceiptHandle: 'receipt-m-done', VisibilityTimeout: 0 },
        ],
      },
    ]);
  });

  it('logs ids, outcomes and counts, never the error cause from the message body', async () => {
    // Prepare
    queueHolds([dlqMessage(MESSAGE_ID)]);
    executionIs(EXECUTION_ARN, failedExecution);

    // Act
    await handler({});

    // Assess
    const output = stdout.mock.calls.map(([line]) => String(line)).join('');
    expect(output).not.toContain(deadLetterFixture.cause);
    expect(output).not.toContain(deadLetterFixture.source.key);
    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ message: 'dead letter handled', messageId: MESSAGE_ID, outcome: 'redriven' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ message: 'redrive finished', received: 1, redriven: 1, failed: 0, unreadable: 0 }),
    );
  });
});

describe('redrive: one named execution', () => {
  it('redrives the execution without touching the queue', async () => {
    // Prepare
    executionIs(EXECUTION_ARN, failedExecution);

    // Act
    const result = await handler(replayOne);

    // Assess
    expect(result).toEqual({
      mode: 'execution',
      dryRun: false,
      redriven: [
        { outcome: 'redriven', executionArn: EXECUTION_ARN, redriveCount: 1, redriveDate: '2026-11-21T06:00:00.000Z' },
      ],
      alreadyDone: [],
      notRedrivable: [],
      failed: [],
      unreadable: [],
    });
    expect(inputsOf(sfn, RedriveExecutionCommand)).toEqual([
      // sha256('execution:' + executionArn), 48 hex, then the redrive count before this redrive
      { executionArn: EXECUTION_ARN, clientToken: '455e4162e14de310a1239b71c7abe852990ebbcfe8042012-0' },
    ]);
    expect(sqs).not.toHaveReceivedAnyCommand();
  });

  it('does nothing for an execution that is already running again', async () => {
    // Prepare
    executionIs(EXECUTION_ARN, { status: 'RUNNING', redriveCount: 1 });

    // Act
    const result = await handler(replayOne);

    // Assess
    expect(result.alreadyDone).toEqual([
      { outcome: 'already-done', executionArn: EXECUTION_ARN, reason: 'execution is RUNNING after 1 redrive(s)' },
    ]);
    expect(sfn).not.toHaveReceivedCommand(RedriveExecutionCommand);
  });

  it('refuses an execution of another state machine', async () => {
    // Prepare
    const foreignArn = 'arn:aws:states:us-east-1:123456789012:execution:billing-reconcile:run-42';

    // Act
    const result = await handler({ executionArn: foreignArn });

    // Assess
    expect(result.notRedrivable).toEqual([
      expect.objectContaining({ outcome: 'not-redrivable', executionArn: foreignArn }),
    ]);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });
});

describe('redrive: operator input and configuration', () => {
  it.each([
    ['a misspelt field', { executionARN: EXECUTION_ARN }],
    ['an ARN that is not an execution', { executionArn: STATE_MACHINE_ARN }],
    ['maxMessages 0', { maxMessages: 0 }],
    ['a string dryRun', { dryRun: 'yes' }],
  ])('rejects %s as InvalidEvent before touching anything', async (_, request) => {
    // Act
    const result = handler(request as never);

    // Assess
    await expect(result).rejects.toThrow(InvalidEvent);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(sqs).not.toHaveReceivedAnyCommand();
  });

  it('fails with MissingConfiguration when DEAD_LETTER_QUEUE_URL is not set', async () => {
    // Prepare: a fresh module registry, so that no earlier invocation has read the configuration yet
    delete process.env.DEAD_LETTER_QUEUE_URL;
    let fresh: HandlerModule | undefined;
    let errors: ErrorsModule | undefined;
    jest.isolateModules(() => {
      fresh = jest.requireActual<HandlerModule>('../../functions/redrive/handler');
      errors = jest.requireActual<ErrorsModule>('../../functions/commons/errors');
    });

    // Act
    const result = fresh!.handler({});

    // Assess
    await expect(result).rejects.toThrow(errors!.MissingConfiguration);
    await expect(result).rejects.toThrow('environment variable DEAD_LETTER_QUEUE_URL is not set');
  });
});
