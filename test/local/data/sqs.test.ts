import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { LocalSqs } from '../../../local/services/sqs/local-sqs';
import { localSqsClient, temporaryDataDir } from './local-data-wiring';
import { ManualSqsClock } from './manual-sqs-clock';

const QUEUE = {
  name: 'vodflow-local-publish-dead-letters',
  url: 'http://127.0.0.1/queue/000000000000/vodflow-local-publish-dead-letters',
  arn: 'arn:aws:sqs:us-east-1:000000000000:vodflow-local-publish-dead-letters',
};
const QueueUrl = QUEUE.url;

let dataDir: string;
let cleanup: () => void;
let local: LocalSqs;
let sqs: SQSClient;
let clock: ManualSqsClock;

function start(): void {
  local = new LocalSqs({ dataDir, queues: [QUEUE], clock });
  sqs = localSqsClient(local);
}

beforeEach(() => {
  ({ dataDir, cleanup } = temporaryDataDir());
  clock = new ManualSqsClock();
  start();
});
afterEach(() => {
  cleanup();
});

const receive = (input: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
  sqs.send(new ReceiveMessageCommand({ QueueUrl, ...input }));

describe('local SQS', () => {
  it('sends and receives a message with its MD5s, attributes and system attributes', async () => {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: '{"assetId":"a1"}',
        MessageAttributes: {
          failedState: { DataType: 'String', StringValue: 'RegisterAsset' },
          attempt: { DataType: 'Number', StringValue: '2' },
          raw: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );

    const { Messages = [] } = await receive({
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
    });

    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('{"assetId":"a1"}').digest('hex'));
    expect(Messages).toHaveLength(1);
    expect(Messages[0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: '{"assetId":"a1"}',
      MD5OfBody: sent.MD5OfMessageBody,
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      MessageAttributes: {
        failedState: { DataType: 'String', StringValue: 'RegisterAsset' },
        attempt: { DataType: 'Number', StringValue: '2' },
        raw: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
      },
      Attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d{13}$/) as unknown },
    });
  });

  it('computes MD5OfMessageAttributes the way SQS does', async () => {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'x',
        MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } },
      }),
    );
    // name, type, transport 1, value: each length-prefixed (4 bytes, big-endian).
    const expected = createHash('md5')
      .update(Buffer.from([0, 0, 0, 1, 0x61, 0, 0, 0, 6, ...Buffer.from('String'), 1, 0, 0, 0, 1, 0x62]))
      .digest('hex');

    expect(sent.MD5OfMessageAttributes).toBe(expected);
  });

  it('hides a received message for its visibility timeout and counts receives', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));

    const first = await receive({ VisibilityTimeout: 60 });
    const hidden = await receive();
    const count = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));

    expect(first.Messages).toHaveLength(1);
    expect(hidden.Messages).toBeUndefined();
    expect(count.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
      QueueArn: QUEUE.arn,
    });

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await receive({ AttributeNames: ['All'] });
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(again.Messages?.[0]?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
  });

  it('deletes only with the latest receipt handle; a stale handle cannot change visibility', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));
    const stale = (await receive({ VisibilityTimeout: 0 })).Messages?.[0]?.ReceiptHandle;
    const latest = (await receive({ VisibilityTimeout: 30 })).Messages?.[0]?.ReceiptHandle;

    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: stale }));
    expect(local.depth(QUEUE.name)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await expect(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: stale, VisibilityTimeout: 0 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('The receipt handle has expired') as unknown,
    });
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'garbage' }))).rejects.toMatchObject({
      name: 'ReceiptHandleIsInvalid',
    });

    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: latest }));
    expect(local.depth(QUEUE.name)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('refuses to change the visibility of a message that is not in flight', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));
    const handle = (await receive({ VisibilityTimeout: 0 })).Messages?.[0]?.ReceiptHandle;

    await expect(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 10 })),
    ).rejects.toMatchObject({ name: 'MessageNotInflight' });
  });

  it('sends, receives, re-shows and deletes in batches, reporting entries that failed', async () => {
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'first' },
          { Id: 'b', MessageBody: 'second' },
          { Id: 'c', MessageBody: 'bad \u0000 character' },
        ],
      }),
    );
    expect(sent.Successful?.map((entry) => entry.Id)).toEqual(['a', 'b']);
    expect(sent.Failed).toEqual([
      expect.objectContaining({ Id: 'c', Code: 'InvalidMessageContents', SenderFault: true }),
    ]);

    const { Messages = [] } = await receive({ MaxNumberOfMessages: 10 });
    const handles = Messages.map((message) => message.ReceiptHandle ?? '');
    expect(Messages.map((message) => message.Body)).toEqual(['first', 'second']);

    const shown = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'x', ReceiptHandle: handles[0], VisibilityTimeout: 0 },
          { Id: 'y', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(shown.Successful).toEqual([{ Id: 'x' }]);
    expect(shown.Failed).toEqual([expect.objectContaining({ Id: 'y', Code: 'ReceiptHandleIsInvalid' })]);
    expect(local.depth(QUEUE.name)).toEqual({ visible: 1, inFlight: 1, delayed: 0 });

    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'd', ReceiptHandle: handles[1] }] }),
    );
    expect(deleted.Successful).toEqual([{ Id: 'd' }]);
    expect(local.peek(QUEUE.name).map((message) => message.body)).toEqual(['first']);

    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] }))).rejects.toMatchObject({
      name: 'EmptyBatchRequest',
    });
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'same', MessageBody: '1' },
            { Id: 'same', MessageBody: '2' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
  it('takes a message of 1 MiB counting its attributes, refuses a byte more, and refuses an 11th attribute', async () => {
    const attribute = { event: { DataType: 'String', StringValue: 'FAILED' } };
    const attributeBytes = 'event'.length + 'String'.length + 'FAILED'.length;

    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'x'.repeat(1_048_576 - attributeBytes),
        MessageAttributes: attribute,
      }),
    );
    await expect(
      sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: 'x'.repeat(1_048_577 - attributeBytes),
          MessageAttributes: attribute,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.',
    });
    const eleven = Object.fromEntries(
      Array.from({ length: 11 }, (_, index) => [`a${String(index)}`, { DataType: 'String', StringValue: 'v' }]),
    );
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: eleven })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: 'x',
          MessageAttributes: { 'AWS.reserved': { DataType: 'String', StringValue: 'v' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(local.depth(QUEUE.name)).toMatchObject({ visible: 1 });
  });

  it('refuses an 11th batch entry and a batch over 1 MiB in total, attributes counted', async () => {
    const entries = (count: number, body: string) =>
      Array.from({ length: count }, (_, index) => ({ Id: `e${String(index)}`, MessageBody: body }));

    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries(11, 'x') }))).rejects.toMatchObject({
      name: 'TooManyEntriesInBatchRequest',
    });
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries(2, 'x'.repeat(600_000)) })),
    ).rejects.toMatchObject({ name: 'BatchRequestTooLong' });
    const attribute = { event: { DataType: 'String', StringValue: 'FAILED' } };
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'a', MessageBody: 'x'.repeat(524_288) },
            { Id: 'b', MessageBody: 'x'.repeat(524_288 - 16), MessageAttributes: attribute },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'BatchRequestTooLong' });
    expect(local.depth(QUEUE.name)).toMatchObject({ visible: 0 });
  });

  it('delays messages and long-polls until one arrives', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 1 }));
    expect(local.depth(QUEUE.name)).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    let answered = false;

    const polling = receive({ WaitTimeSeconds: 5 }).finally(() => {
      answered = true;
    });
    await clock.waiting();
    await clock.advance(999);
    expect(answered).toBe(false);
    await clock.advance(1);
    const { Messages = [] } = await polling;

    expect(Messages.map((message) => message.Body)).toEqual(['later']);
  });

  it('long-polls an empty queue for WaitTimeSeconds, answering early when a message is sent', async () => {
    const waiting = receive({ WaitTimeSeconds: 10 });
    await clock.waiting();
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'now' }));

    const { Messages = [] } = await waiting;

    expect(Messages.map((message) => message.Body)).toEqual(['now']);
  });

  it('answers an empty long poll with no messages once WaitTimeSeconds have passed', async () => {
    let answered = false;
    const polling = receive({ WaitTimeSeconds: 20 }).finally(() => {
      answered = true;
    });
    await clock.waiting();

    await clock.advance(19_999);
    expect(answered).toBe(false);
    await clock.advance(1);

    expect((await polling).Messages).toBeUndefined();
    expect(clock.pending).toBe(0);
  });

  it('peeks without receiving, purges once a minute, and finds queues by name', async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'p',
        MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
      }),
    );

    const [peeked] = local.peek(QUEUE.name);
    const twice = local.peek(QUEUE.name);

    expect(peeked).toMatchObject({
      body: 'p',
      receiveCount: 0,
      state: 'visible',
      messageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
    });
    expect(twice[0]?.receiveCount).toBe(0);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE.name }))).resolves.toMatchObject({ QueueUrl });
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    expect(local.depth(QUEUE.name)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl }))).rejects.toMatchObject({ name: 'PurgeQueueInProgress' });
  });

  it('refuses unknown queues and bad parameters with the names SQS uses', async () => {
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: 'http://127.0.0.1/queue/000000000000/nope', MessageBody: 'x' })),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(receive({ MaxNumberOfMessages: 11 })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    });
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', DelaySeconds: 901 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(
      sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Nope' as never] })),
    ).rejects.toMatchObject({
      name: 'InvalidAttributeName',
    });
    expect(() => local.peek('nope')).toThrow('The specified queue does not exist.');
  });

  it('keeps messages, receive counts and in-flight state across a restart', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'durable' }));
    const handle = (await receive({ VisibilityTimeout: 120 })).Messages?.[0]?.ReceiptHandle;

    start();

    expect(local.peek(QUEUE.name)).toEqual([
      expect.objectContaining({ body: 'durable', receiveCount: 1, state: 'in-flight' }),
    ]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: handle }));
    start();
    expect(local.peek(QUEUE.name)).toEqual([]);
  });
});
