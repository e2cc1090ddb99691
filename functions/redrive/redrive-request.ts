import { InvalidEvent } from '../commons/errors';
import { isExecutionArn } from './execution-arn';

/** What an operator passes: `serverless invoke -f redrive --data '{"dryRun":true}'`. */
export interface RedriveRequest {
  /** Redrive this one execution instead of replaying the dead-letter queue. */
  executionArn?: string;
  /** Queue mode: stop after this many messages (default 100). */
  maxMessages?: number;
  /** Report what would happen; redrive nothing, delete nothing. */
  dryRun?: boolean;
}

export type ValidRedriveRequest = Required<Pick<RedriveRequest, 'maxMessages' | 'dryRun'>> &
  Pick<RedriveRequest, 'executionArn'>;

export const DEFAULT_MAX_MESSAGES = 100;
const MAX_MESSAGES_LIMIT = 1000;
const FIELDS = ['executionArn', 'maxMessages', 'dryRun'];

/**
 * Validates the operator's input strictly: a misspelt `executionARN` must not silently replay the whole queue.
 */
export function parseRedriveRequest(event: unknown): ValidRedriveRequest {
  const request = event ?? {};
  if (typeof request !== 'object' || Array.isArray(request)) throw new InvalidEvent('request must be a JSON object');
  const fields = request as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((field) => !FIELDS.includes(field));
  if (unknown.length > 0) {
    throw new InvalidEvent(`unknown field(s) ${unknown.join(', ')}; expected ${FIELDS.join(', ')}`);
  }

  const { executionArn, maxMessages = DEFAULT_MAX_MESSAGES, dryRun = false } = fields;
  if (executionArn !== undefined && (typeof executionArn !== 'string' || !isExecutionArn(executionArn))) {
    throw new InvalidEvent('executionArn must be a Step Functions execution ARN');
  }
  if (
    typeof maxMessages !== 'number' ||
    !Number.isInteger(maxMessages) ||
    maxMessages < 1 ||
    maxMessages > MAX_MESSAGES_LIMIT
  ) {
    throw new InvalidEvent(`maxMessages must be an integer from 1 to ${MAX_MESSAGES_LIMIT}`);
  }
  if (typeof dryRun !== 'boolean') throw new InvalidEvent('dryRun must be true or false');
  return { executionArn, maxMessages, dryRun };
}
