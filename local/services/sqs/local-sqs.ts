import { LOCAL_ACCOUNT } from '../../seam/local-events';
import {
  LocalServiceError,
  unsupportedCommand,
  type CommandInput,
  type CommandOutput,
  type LocalService,
} from '../../seam/local-service';
import {
  attributesSize,
  attributesToResponse,
  md5Hex,
  md5OfAttributes,
  readMessageAttributes,
  selectAttributes,
  type StoredAttribute,
} from './message-attributes';
import { QUEUE_DEFAULTS, QueueStore, type MessageState, type QueueDefinition, type StoredMessage } from './queue-store';
import { decodeReceiptHandle, encodeReceiptHandle } from './receipt-handle';
import { realSqsClock, type SqsClock } from './sqs-clock';
import { invalidParameterValue, missingParameter, queueDoesNotExist } from './sqs-errors';

export type { QueueDefinition } from './queue-store';

export interface LocalSqsOptions {
  dataDir: string;
  queues: QueueDefinition[];
  /** The clock of delays, visibility timeouts and long polls (the real one by default). */
  clock?: SqsClock;
}

/** A message as the inspection API shows it (the CLI and the page), without receiving it. */
export interface PeekedMessage {
  messageId: string;
  body: string;
  messageAttributes: Record<string, StoredAttribute>;
  sentAt: string;
  receiveCount: number;
  state: MessageState;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

type Input = Record<string, unknown>;

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html (10 entries a batch,
// ids of at most 80 letters, digits, - and _, batch payload at most 1 MiB)
const BATCH_LIMIT = 10;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const INVALID_BODY_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp'];
const QUEUE_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'SqsManagedSseEnabled',
];

function integerParameter(input: Input, name: string, min: number, max: number, fallback: number): number {
  const value = input[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameterValue(
      `Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: Must be between ${String(min)} and ${String(max)}, if provided.`,
    );
  }
  return value;
}

function stringList(input: Input, name: string): string[] {
  const value = input[name];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw invalidParameterValue(`${name} must be a list of strings`);
  }
  return value;
}

function batchEntries(input: Input, kind: string): Input[] {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new LocalServiceError('EmptyBatchRequest', `There should be at least one ${kind} in the request.`);
  }
  if (entries.length > BATCH_LIMIT) {
    throw new LocalServiceError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${String(entries.length)}.`,
    );
  }
  const ids = new Set<string>();
  for (const entry of entries as Input[]) {
    const id = entry.Id;
    if (typeof id !== 'string' || !BATCH_ID.test(id)) {
      throw new LocalServiceError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(id)) throw new LocalServiceError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries as Input[];
}

/** The failure entry of a batch: the error of the single-message call, by name. */
function messageSize(entry: Input): number {
  const body = typeof entry.MessageBody === 'string' ? Buffer.byteLength(entry.MessageBody) : 0;
  try {
    return body + attributesSize(readMessageAttributes(entry.MessageAttributes));
  } catch {
    return body;
  }
}

function failedEntry(id: unknown, error: unknown): Record<string, unknown> {
  if (!(error instanceof LocalServiceError)) throw error;
  return { Id: id, SenderFault: error.$fault === 'client', Code: error.name, Message: error.message };
}

/**
 * Local SQS: standard queues with delays, visibility timeouts, receipt handles that change on every receive, long
 * polling, MD5s the SDK verifies, and the inspection the CLI and page need. Queue state is saved under
 * `<dataDir>/sqs/` after every change.
 */
export class LocalSqs implements LocalService {
  readonly service = 'SQS' as const;
  private readonly queues = new Map<string, QueueStore>();
  private readonly clock: SqsClock;

  constructor(options: LocalSqsOptions) {
    this.clock = options.clock ?? realSqsClock;
    for (const definition of options.queues)
      this.queues.set(definition.name, new QueueStore(definition, options.dataDir, this.clock));
  }

  async handle(command: string, input: CommandInput): Promise<CommandOutput> {
    switch (command) {
      case 'SendMessage':
        return this.sendOne(input);
      case 'SendMessageBatch':
        return this.sendBatch(input);
      case 'ReceiveMessage':
        return this.receive(input);
      case 'DeleteMessage':
        return this.deleteOne(input);
      case 'DeleteMessageBatch':
        return this.deleteBatch(input);
      case 'ChangeMessageVisibility':
        return this.changeVisibilityOne(input);
      case 'ChangeMessageVisibilityBatch':
        return this.changeVisibilityBatch(input);
      case 'GetQueueAttributes':
        return this.queueAttributes(input);
      case 'GetQueueUrl':
        return this.queueUrl(input);
      case 'PurgeQueue':
        return this.purge(input);
      default:
        throw unsupportedCommand(this.service, command);
    }
  }

  // ------------------------------------------------------------------ inspection (CLI, page)
  /** The queue's messages in the order they were sent, without receiving them or changing their visibility. */
  peek(queueName: string): PeekedMessage[] {
    const queue = this.byName(queueName);
    const now = this.clock.now();
    queue.expire(now);
    return queue.messages.map((message) => ({
      messageId: message.messageId,
      body: message.body,
      messageAttributes: structuredClone(message.attributes),
      sentAt: new Date(message.sentTimestamp).toISOString(),
      receiveCount: message.receiveCount,
      state: queue.stateOf(message, now),
    }));
  }

  depth(queueName: string): QueueDepth {
    const states = this.peek(queueName).map((message) => message.state);
    const count = (state: MessageState) => states.filter((candidate) => candidate === state).length;
    return { visible: count('visible'), inFlight: count('in-flight'), delayed: count('delayed') };
  }

  // ------------------------------------------------------------------ queues
  private byName(name: string): QueueStore {
    const queue = this.queues.get(name);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  /** The queue a QueueUrl names: its exact URL, or another host spelling of the same account and name. */
  private queue(input: Input): QueueStore {
    const url = input.QueueUrl;
    if (typeof url !== 'string' || url === '') throw missingParameter('QueueUrl');
    for (const queue of this.queues.values()) if (queue.definition.url === url) return queue;
    const [name, account] = url.split('/').reverse();
    const queue = name === undefined ? undefined : this.queues.get(name);
    if (queue && queue.definition.url.split('/').reverse()[1] === account) return queue;
    throw queueDoesNotExist();
  }

  private queueUrl(input: Input): CommandOutput {
    const name = input.QueueName;
    if (typeof name !== 'string' || name === '') throw missingParameter('QueueName');
    return { QueueUrl: this.byName(name).definition.url };
  }

  private queueAttributes(input: Input): CommandOutput {
    const queue = this.queue(input);
    const requested = stringList(input, 'AttributeNames');
    for (const name of requested) {
      if (name !== 'All' && !QUEUE_ATTRIBUTES.includes(name)) {
        throw new LocalServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
    }
    const names = requested.includes('All') ? QUEUE_ATTRIBUTES : requested;
    if (names.length === 0) return {};
    const depth = this.depth(queue.definition.name);
    const values: Record<string, string> = {
      ApproximateNumberOfMessages: String(depth.visible),
      ApproximateNumberOfMessagesNotVisible: String(depth.inFlight),
      ApproximateNumberOfMessagesDelayed: String(depth.delayed),
      CreatedTimestamp: String(queue.createdTimestamp),
      LastModifiedTimestamp: String(queue.createdTimestamp),
      QueueArn: queue.definition.arn,
      VisibilityTimeout: String(QUEUE_DEFAULTS.visibilityTimeoutSeconds),
      MaximumMessageSize: String(QUEUE_DEFAULTS.maximumMessageBytes),
      MessageRetentionPeriod: String(QUEUE_DEFAULTS.messageRetentionSeconds),
      DelaySeconds: String(QUEUE_DEFAULTS.delaySeconds),
      ReceiveMessageWaitTimeSeconds: String(QUEUE_DEFAULTS.receiveWaitSeconds),
      SqsManagedSseEnabled: 'true',
    };
    return { Attributes: Object.fromEntries(names.map((name) => [name, values[name] ?? ''])) };
  }

  private async purge(input: Input): Promise<CommandOutput> {
    const queue = this.queue(input);
    const now = this.clock.now();
    if (queue.lastPurge !== undefined && now - queue.lastPurge < 60_000) {
      throw new LocalServiceError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${queue.definition.name} is allowed every 60 seconds.`,
      );
    }
    queue.messages = [];
    queue.lastPurge = now;
    await queue.save();
    return {};
  }

  // ------------------------------------------------------------------ sending
  /** Validates and stores one message; returns what SendMessage answers. */
  private enqueue(queue: QueueStore, input: Input): Record<string, unknown> {
    const body = input.MessageBody;
    if (typeof body !== 'string' || body === '') throw missingParameter('MessageBody');
    const invalid = INVALID_BODY_CHARACTER.exec(body);
    if (invalid) {
      const code = (invalid[0].codePointAt(0) ?? 0).toString(16).toUpperCase();
      throw new LocalServiceError(
        'InvalidMessageContents',
        `Invalid binary character '#x${code}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
      );
    }
    const attributes = readMessageAttributes(input.MessageAttributes);
    const size = Buffer.byteLength(body, 'utf8') + attributesSize(attributes);
    if (size > QUEUE_DEFAULTS.maximumMessageBytes) {
      throw invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${String(QUEUE_DEFAULTS.maximumMessageBytes)} bytes.`,
      );
    }
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html (DelaySeconds 0 to 900)
    const delay = integerParameter(input, 'DelaySeconds', 0, 900, QUEUE_DEFAULTS.delaySeconds);
    const now = this.clock.now();
    const attributesMd5 = md5OfAttributes(attributes);
    const message = queue.add({
      body,
      md5OfBody: md5Hex(Buffer.from(body, 'utf8')),
      attributes,
      md5OfAttributes: attributesMd5,
      sentTimestamp: now,
      visibleAt: now + delay * 1000,
    });
    return {
      MessageId: message.messageId,
      MD5OfMessageBody: message.md5OfBody,
      ...(attributesMd5 === undefined ? {} : { MD5OfMessageAttributes: attributesMd5 }),
    };
  }

  private async sendOne(input: Input): Promise<CommandOutput> {
    const queue = this.queue(input);
    const result = this.enqueue(queue, input);
    await queue.save();
    return result;
  }

  private async sendBatch(input: Input): Promise<CommandOutput> {
    const queue = this.queue(input);
    const entries = batchEntries(input, 'SendMessageBatchRequestEntry');
    // The batch's payload is the sum of its messages' sizes, attributes included (an entry whose attributes are
    // invalid fails on its own below).
    const total = entries.reduce((sum, entry) => sum + messageSize(entry), 0);
    if (total > QUEUE_DEFAULTS.maximumMessageBytes) {
      throw new LocalServiceError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${String(QUEUE_DEFAULTS.maximumMessageBytes)} bytes. You have sent ${String(total)} bytes.`,
      );
    }
    const successful: Record<string, unknown>[] = [];
    const failed: Record<string, unknown>[] = [];
    for (const entry of entries) {
      try {
        successful.push({ Id: entry.Id, ...this.enqueue(queue, entry) });
      } catch (error) {
        failed.push(failedEntry(entry.Id, error));
      }
    }
    await queue.save();
    return { Successful: successful, Failed: failed };
  }

  // ------------------------------------------------------------------ receiving
  private async receive(input: Input): Promise<CommandOutput> {
    const queue = this.queue(input);
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html (1 to 10 messages, wait 0 to 20 s)
    const max = integerParameter(input, 'MaxNumberOfMessages', 1, 10, 1);
    const visibility = integerParameter(input, 'VisibilityTimeout', 0, 43_200, QUEUE_DEFAULTS.visibilityTimeoutSeconds);
    const waitSeconds = integerParameter(input, 'WaitTimeSeconds', 0, 20, QUEUE_DEFAULTS.receiveWaitSeconds);
    const systemNames = [...stringList(input, 'AttributeNames'), ...stringList(input, 'MessageSystemAttributeNames')];
    const attributeNames = stringList(input, 'MessageAttributeNames');
    const deadline = this.clock.now() + waitSeconds * 1000;

    for (;;) {
      const now = this.clock.now();
      queue.expire(now);
      const received = queue.receive(max, visibility, now);
      if (received.length > 0) {
        await queue.save();
        return { Messages: received.map((message) => this.received(queue, message, systemNames, attributeNames)) };
      }
      // Long polling: wait for a message instead of answering empty at once.
      if (now >= deadline) return {};
      await queue.changed(deadline - now, now);
    }
  }

  private received(
    queue: QueueStore,
    message: StoredMessage,
    systemNames: string[],
    attributeNames: string[],
  ): Record<string, unknown> {
    const system: Record<string, string> = {
      SenderId: LOCAL_ACCOUNT,
      SentTimestamp: String(message.sentTimestamp),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? message.sentTimestamp),
    };
    const wanted = systemNames.includes('All') ? SYSTEM_ATTRIBUTES : systemNames.filter((name) => name in system);
    const attributes = selectAttributes(message.attributes, attributeNames);
    const md5 = md5OfAttributes(attributes);
    return {
      MessageId: message.messageId,
      ReceiptHandle: encodeReceiptHandle({
        queue: queue.definition.name,
        messageId: message.messageId,
        receipt: message.receipt ?? '',
      }),
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      ...(wanted.length === 0 ? {} : { Attributes: Object.fromEntries(wanted.map((name) => [name, system[name]])) }),
      ...(md5 === undefined
        ? {}
        : { MD5OfMessageAttributes: md5, MessageAttributes: attributesToResponse(attributes) }),
    };
  }

  // ------------------------------------------------------------------ deleting and visibility
  /**
   * As SQS documents it: only the latest receipt handle deletes; an older one is accepted and does nothing, and a
   * message already deleted is not an error.
   */
  private remove(queue: QueueStore, handle: unknown): void {
    const receipt = decodeReceiptHandle(handle, queue.definition.name);
    const message = queue.find(receipt.messageId);
    if (message?.receipt === receipt.receipt) queue.remove(message.messageId);
  }

  private async deleteOne(input: Input): Promise<CommandOutput> {
    const queue = this.queue(input);
    this.remove(queue, input.ReceiptHandle);
    await queue.save();
    return {};
  }

  private async deleteBatch(input: Input): Promise<CommandOutput> {
    const queue = this.queue(input);
    const successful: Record<string, unknown>[] = [];
    const failed: Record<string, unknown>[] = [];
    for (const entry of batchEntries(input, 'DeleteMessageBatchRequestEntry')) {
      try {
        this.remove(queue, entry.ReceiptHandle);
        successful.push({ Id: entry.Id });
      } catch (error) {
        failed.push(failedEntry(entry.Id, error));
      }
    }
    await queue.save();
    return { Successful: successful, Failed: failed };
  }

  private changeVisibility(queue: QueueStore, input: Input): void {
    const handle = input.ReceiptHandle;
    const receipt = decodeReceiptHandle(handle, queue.definition.name);
    if (input.VisibilityTimeout === undefined) throw missingParameter('VisibilityTimeout');
    const timeout = integerParameter(input, 'VisibilityTimeout', 0, 43_200, 0);
    const message = queue.find(receipt.messageId);
    const now = this.clock.now();
    if (!message) {
      throw invalidParameterValue(
        `Value ${String(handle)} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    if (message.receipt !== receipt.receipt) {
      throw invalidParameterValue(
        `Value ${String(handle)} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
      );
    }
    if (queue.stateOf(message, now) !== 'in-flight') {
      throw new LocalServiceError('MessageNotInflight', 'The message referred to is not in flight.');
    }
    message.visibleAt = now + timeout * 1000;
    if (timeout === 0) queue.notify();
  }

  private async changeVisibilityOne(input: Input): Promise<CommandOutput> {
    const queue = this.queue(input);
    this.changeVisibility(queue, input);
    await queue.save();
    return {};
  }

  private async changeVisibilityBatch(input: Input): Promise<CommandOutput> {
    const queue = this.queue(input);
    const successful: Record<string, unknown>[] = [];
    const failed: Record<string, unknown>[] = [];
    for (const entry of batchEntries(input, 'ChangeMessageVisibilityBatchRequestEntry')) {
      try {
        this.changeVisibility(queue, entry);
        successful.push({ Id: entry.Id });
      } catch (error) {
        failed.push(failedEntry(entry.Id, error));
      }
    }
    await queue.save();
    return { Successful: successful, Failed: failed };
  }
}
