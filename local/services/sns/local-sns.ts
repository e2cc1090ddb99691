import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { JsonLinesLog } from '../../persistence/json-lines-log';
import {
  LocalServiceError,
  unsupportedCommand,
  type CommandInput,
  type CommandOutput,
  type LocalService,
} from '../../seam/local-service';

export interface TopicDefinition {
  name: string;
  arn: string;
}

export interface LocalSnsOptions {
  dataDir: string;
  topics: TopicDefinition[];
}

export interface PublishedAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64, so the log stays JSON. */
  BinaryValue?: string;
}

/** One published message, as the topic's log keeps it and listeners receive it. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageStructure?: 'json';
  messageAttributes: Record<string, PublishedAttribute>;
  publishedAt: string;
}

export type TopicListener = (message: PublishedMessage) => void | Promise<void>;

// https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Message: at most 256 KB, 262,144 bytes) and
// https://docs.aws.amazon.com/sns/latest/api/API_MessageAttributeValue.html (every attribute's name, type and value count)
const MAX_MESSAGE_BYTES = 262_144;
// https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html (names: letters, digits, _ - .; no leading,
// trailing or doubled period; at most 256 characters; no AWS. or Amazon. prefix). The page's limit of 10 attributes
// applies only to delivery to SQS with raw message delivery, not to Publish.
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!aws\.|amazon\.)[A-Za-z0-9_\-.]{1,256}(?<!\.)$/i;
// https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject: ASCII printable, at most 100 characters)
const SUBJECT = /^[\x20-\x7E]{1,100}$/;
const DATA_TYPE = /^(String|Number|Binary|String\.Array)(\.[A-Za-z0-9_\-.]+)?$/;

function invalidParameter(detail: string): LocalServiceError {
  return new LocalServiceError('InvalidParameterException', `Invalid parameter: ${detail}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readAttributes(input: unknown): Record<string, PublishedAttribute> {
  if (input === undefined) return {};
  if (!isRecord(input)) throw invalidParameter('MessageAttributes must be a map');
  const entries = Object.entries(input);
  const attributes: Record<string, PublishedAttribute> = {};
  for (const [name, raw] of entries) {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalidParameter(`The message attribute name '${name}' is invalid.`);
    }
    if (!isRecord(raw) || typeof raw.DataType !== 'string' || !DATA_TYPE.test(raw.DataType)) {
      throw invalidParameter(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    if (raw.DataType.startsWith('Binary')) {
      const value = raw.BinaryValue;
      if (!(value instanceof Uint8Array) && typeof value !== 'string') {
        throw invalidParameter(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      }
      const bytes = value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(value, 'base64');
      attributes[name] = { DataType: raw.DataType, BinaryValue: bytes.toString('base64') };
      continue;
    }
    const value = raw.StringValue;
    if (typeof value !== 'string' || value === '') {
      throw invalidParameter(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${raw.DataType}'.`,
      );
    }
    if (raw.DataType.startsWith('Number') && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
      throw invalidParameter(`Could not cast message attribute '${name}' value to number.`);
    }
    if (raw.DataType === 'String.Array') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      if (!Array.isArray(parsed)) {
        throw invalidParameter(`The message attribute '${name}' with type 'String.Array' must contain a JSON array.`);
      }
    }
    attributes[name] = { DataType: raw.DataType, StringValue: value };
  }
  return attributes;
}

/** SNS answers an unknown topic with 404 (its model's NotFoundException: code NotFound, httpStatusCode 404). */
function topicNotFound(): LocalServiceError {
  return new LocalServiceError('NotFoundException', 'Topic does not exist', { status: 404 });
}

/** The bytes SNS counts against the message size: every attribute's name, data type and value. */
function attributesSize(attributes: Record<string, PublishedAttribute>): number {
  return Object.entries(attributes).reduce((total, [name, attribute]) => {
    const value =
      attribute.BinaryValue === undefined
        ? Buffer.byteLength(attribute.StringValue ?? '', 'utf8')
        : Buffer.from(attribute.BinaryValue, 'base64').length;
    return total + Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType, 'utf8') + value;
  }, 0);
}

function readMessage(
  input: Record<string, unknown>,
  attributes: Record<string, PublishedAttribute>,
): { message: string; structure?: 'json' } {
  const message = input.Message;
  if (typeof message !== 'string' || message === '') throw invalidParameter('Empty message');
  if (Buffer.byteLength(message, 'utf8') + attributesSize(attributes) > MAX_MESSAGE_BYTES) {
    throw invalidParameter('Message too long');
  }
  const structure = input.MessageStructure;
  if (structure === undefined) return { message };
  if (structure !== 'json') throw invalidParameter('MessageStructure: only "json" is supported');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (!isRecord(parsed) || typeof parsed.default !== 'string') {
    throw invalidParameter('Message Structure - No default entry in JSON message body');
  }
  return { message, structure: 'json' };
}

/**
 * Local SNS: topics that keep every published message in an append-only log (`<dataDir>/sns/<topic>.jsonl`, read
 * back on start) and hand it to in-process listeners, standing in for subscriptions.
 */
export class LocalSns implements LocalService {
  readonly service = 'SNS' as const;
  private readonly topics = new Map<
    string,
    { definition: TopicDefinition; log: JsonLinesLog; messages: PublishedMessage[] }
  >();
  private readonly listeners = new Map<string, Set<TopicListener>>();

  constructor(options: LocalSnsOptions) {
    for (const definition of options.topics) {
      const log = new JsonLinesLog(join(options.dataDir, 'sns', `${encodeURIComponent(definition.name)}.jsonl`));
      log.prepare();
      this.topics.set(definition.arn, { definition, log, messages: log.readAll() as PublishedMessage[] });
    }
  }

  async handle(command: string, input: CommandInput): Promise<CommandOutput> {
    if (command !== 'Publish') throw unsupportedCommand(this.service, command);
    return this.publish(input);
  }

  /** Every message published to the topic, oldest first. */
  messages(topicName: string): PublishedMessage[] {
    const topic = [...this.topics.values()].find((candidate) => candidate.definition.name === topicName);
    if (!topic) throw topicNotFound();
    return structuredClone(topic.messages);
  }

  /** Calls `listener` with every message published to the topic from now on; returns the unsubscribe function. */
  subscribe(topicArn: string, listener: TopicListener): () => void {
    if (!this.topics.has(topicArn)) throw topicNotFound();
    const listeners = this.listeners.get(topicArn) ?? new Set<TopicListener>();
    this.listeners.set(topicArn, listeners);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  private async publish(input: Record<string, unknown>): Promise<CommandOutput> {
    const topicArn = input.TopicArn;
    if (typeof topicArn !== 'string' || topicArn === '') {
      if (input.TargetArn !== undefined || input.PhoneNumber !== undefined) {
        throw invalidParameter('local SNS publishes to topics only (TopicArn)');
      }
      throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
    }
    const topic = this.topics.get(topicArn);
    if (!topic) throw topicNotFound();
    const messageAttributes = readAttributes(input.MessageAttributes);
    const { message, structure } = readMessage(input, messageAttributes);
    const subject = input.Subject;
    if (subject !== undefined && (typeof subject !== 'string' || !SUBJECT.test(subject))) {
      throw invalidParameter('Subject');
    }
    const published: PublishedMessage = {
      messageId: randomUUID(),
      topicArn,
      ...(subject === undefined ? {} : { subject }),
      message,
      ...(structure === undefined ? {} : { messageStructure: structure }),
      messageAttributes,
      publishedAt: new Date().toISOString(),
    };
    topic.messages.push(published);
    await topic.log.append(published);
    this.deliver(published);
    return { MessageId: published.messageId };
  }

  /** Like SNS, a subscriber's failure never fails the publish; it is reported on stderr. */
  private deliver(message: PublishedMessage): void {
    for (const listener of this.listeners.get(message.topicArn) ?? []) {
      const report = (error: unknown) => {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        process.stderr.write(`local SNS: a listener of ${message.topicArn} failed: ${reason}\n`);
      };
      try {
        Promise.resolve(listener(structuredClone(message))).catch(report);
      } catch (error) {
        report(error);
      }
    }
  }
}
