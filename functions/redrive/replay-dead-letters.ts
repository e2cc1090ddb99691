import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { sqs } from '../commons/clients/sqs';
import { logger } from '../commons/logger';
import { parseDeadLetter } from './dead-letter';
import { foreignExecutionReason } from './execution-arn';
import { redriveExecution } from './redrive-execution';
import { emptyReport, record, type RedriveReport, type ReportEntry } from './report';

export interface ReplayOptions {
  queueUrl: string;
  stateMachineArn: string;
  maxMessages: number;
  dryRun: boolean;
  /** False when another batch might not finish before the function times out. */
  hasTimeLeft: () => boolean;
}

const BATCH_SIZE = 10;
/** Long enough to handle a batch; a message kept on purpose reappears after it. */
const VISIBILITY_TIMEOUT_SECONDS = 120;

/**
 * Replays the dead-letter queue: each message is redriven or recognised as done (then deleted), or kept with the
 * reason. Messages are handled one by one so that two letters for one execution never race each other.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<RedriveReport> {
  const { queueUrl, maxMessages, dryRun } = options;
  const report: RedriveReport = { ...emptyReport('queue', dryRun), received: 0 };
  const seen: Message[] = [];

  for (let received = 0; ;) {
    if (received >= maxMessages) {
      report.stoppedBy = 'max-messages';
      break;
    }
    if (!options.hasTimeLeft()) {
      report.stoppedBy = 'time-limit';
      break;
    }
    const { Messages: messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(BATCH_SIZE, maxMessages - received),
        WaitTimeSeconds: 1,
        VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
      }),
    );
    if (messages.length === 0) {
      report.stoppedBy = 'queue-empty';
      break;
    }
    for (const message of messages) {
      received += 1;
      const entry = await handleMessage(message, options);
      record(report, entry);
      logger.info('dead letter handled', { ...entry, dryRun });
    }
    report.received = received;
    seen.push(...messages);
  }

  // A dry run must leave the queue as it found it, ready for the real replay right after.
  if (dryRun) await makeVisibleAgain(queueUrl, seen);
  return report;
}

async function handleMessage(message: Message, options: ReplayOptions): Promise<ReportEntry> {
  const { MessageId: messageId, ReceiptHandle: receiptHandle } = message;
  if (messageId === undefined || receiptHandle === undefined) {
    return { outcome: 'unreadable', messageId, reason: 'message has no id or receipt handle' };
  }
  const parsed = parseDeadLetter(message.Body);
  if (!parsed.ok) return { outcome: 'unreadable', messageId, reason: parsed.reason };

  const { executionArn, failedState, redriveCount } = parsed.deadLetter;
  const about = { messageId, executionArn, failedState };
  const foreign = foreignExecutionReason(executionArn, options.stateMachineArn);
  if (foreign !== undefined) return { outcome: 'not-redrivable', ...about, reason: foreign };

  const result = await redriveExecution(executionArn, {
    clientTokenSeed: `message:${messageId}`,
    recordedRedriveCount: redriveCount,
    dryRun: options.dryRun,
  });
  const entry: ReportEntry = { ...about, ...result };
  if (options.dryRun || (result.outcome !== 'redriven' && result.outcome !== 'already-done')) return entry;

  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: receiptHandle }));
  } catch (error) {
    // Harmless: the message comes back and the next replay finds the execution running or done.
    const name = error instanceof Error ? error.name : 'Error';
    logger.warn('dead letter not deleted', { messageId, executionArn, error });
    return { ...entry, reason: `message not deleted (${name}); a later replay will find it done` };
  }
  return entry;
}

async function makeVisibleAgain(queueUrl: string, messages: Message[]): Promise<void> {
  const handles = messages.flatMap((message) => (message.ReceiptHandle === undefined ? [] : [message.ReceiptHandle]));
  for (let start = 0; start < handles.length; start += BATCH_SIZE) {
    const entries = handles.slice(start, start + BATCH_SIZE).map((receiptHandle, index) => ({
      Id: String(start + index),
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: 0,
    }));
    try {
      await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    } catch (error) {
      logger.warn('dry run could not release messages; they reappear after the visibility timeout', { error });
    }
  }
}
