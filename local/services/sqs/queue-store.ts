import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AtomicJsonFile } from '../../persistence/atomic-json-file';
import type { StoredAttribute } from './message-attributes';
import type { SqsClock } from './sqs-clock';

export interface QueueDefinition {
  name: string;
  url: string;
  arn: string;
}

export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, StoredAttribute>;
  md5OfAttributes?: string;
  /** Epoch milliseconds. */
  sentTimestamp: number;
  /** Epoch milliseconds from which a receive may return the message (delay, then visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Identifies the latest receive: only its receipt handle may delete the message or change its visibility. */
  receipt?: string;
}

export type MessageState = 'visible' | 'in-flight' | 'delayed';

interface SavedQueue {
  queue: string;
  createdTimestamp: number;
  lastPurge?: number;
  messages: StoredMessage[];
}

/** Defaults of a queue created without attributes, as SQS documents them. */
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html (defaults;
// MaximumMessageSize 1,048,576 bytes, the body and every attribute's name, type and value counted)
export const QUEUE_DEFAULTS = {
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 345_600,
  maximumMessageBytes: 1_048_576,
  delaySeconds: 0,
  receiveWaitSeconds: 0,
} as const;

/** One queue's messages in memory, saved to `<dataDir>/sqs/<queue>.json` after every change. */
export class QueueStore {
  messages: StoredMessage[];
  readonly createdTimestamp: number;
  lastPurge: number | undefined;
  private readonly file: AtomicJsonFile;
  private waiters: (() => void)[] = [];

  constructor(
    readonly definition: QueueDefinition,
    dataDir: string,
    private readonly clock: SqsClock,
  ) {
    // A damaged queue file keeps every message still readable in it (one a line): dead letters are never all lost.
    this.file = new AtomicJsonFile(join(dataDir, 'sqs', `${encodeURIComponent(definition.name)}.json`), {
      recover: (records) => ({
        messages: records.filter((record) => typeof record.messageId === 'string' && typeof record.body === 'string'),
      }),
    });
    this.file.prepare();
    const saved = this.file.read() as SavedQueue | undefined;
    this.messages = saved?.messages ?? [];
    this.createdTimestamp = saved?.createdTimestamp ?? Math.floor(this.clock.now() / 1000);
    this.lastPurge = saved?.lastPurge;
  }

  stateOf(message: StoredMessage, now: number): MessageState {
    if (message.visibleAt <= now) return 'visible';
    return message.receiveCount === 0 ? 'delayed' : 'in-flight';
  }

  /** Drops messages older than the retention period, as SQS does. */
  expire(now: number): void {
    const oldest = now - QUEUE_DEFAULTS.messageRetentionSeconds * 1000;
    this.messages = this.messages.filter((message) => message.sentTimestamp > oldest);
  }

  add(message: Omit<StoredMessage, 'messageId' | 'receiveCount'>): StoredMessage {
    const stored: StoredMessage = { messageId: randomUUID(), receiveCount: 0, ...message };
    this.messages.push(stored);
    this.notify();
    return stored;
  }

  /** Marks up to `count` visible messages received: new receipt, hidden for the visibility timeout. */
  receive(count: number, visibilitySeconds: number, now: number): StoredMessage[] {
    const received = this.messages.filter((message) => message.visibleAt <= now).slice(0, count);
    for (const message of received) {
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.receipt = randomBytes(12).toString('hex');
      message.visibleAt = now + visibilitySeconds * 1000;
    }
    return received;
  }

  find(messageId: string): StoredMessage | undefined {
    return this.messages.find((message) => message.messageId === messageId);
  }

  remove(messageId: string): void {
    this.messages = this.messages.filter((message) => message.messageId !== messageId);
  }

  /** Resolves when a message may have become receivable, or after `milliseconds` at the latest. */
  changed(milliseconds: number, now: number): Promise<void> {
    const nextVisible = Math.min(...this.messages.map((message) => message.visibleAt).filter((at) => at > now));
    const wait = Math.max(0, Math.min(milliseconds, Number.isFinite(nextVisible) ? nextVisible - now : milliseconds));
    return new Promise((resolve) => {
      let cancel: () => void = () => undefined;
      const done = (): void => {
        cancel();
        this.waiters = this.waiters.filter((waiter) => waiter !== done);
        resolve();
      };
      cancel = this.clock.after(wait, done);
      this.waiters.push(done);
    });
  }

  /** Wakes long polls: a message was sent or made visible. */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  save(): Promise<void> {
    return this.file.save((): SavedQueue => ({
      queue: this.definition.name,
      createdTimestamp: this.createdTimestamp,
      lastPurge: this.lastPurge,
      messages: this.messages,
    }));
  }
}
