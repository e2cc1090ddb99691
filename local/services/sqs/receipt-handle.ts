import { LocalServiceError } from '../../seam/local-service';

/** What a receipt handle stands for: one receive of one message of one queue. */
export interface Receipt {
  queue: string;
  messageId: string;
  receipt: string;
}

export function encodeReceiptHandle(receipt: Receipt): string {
  return Buffer.from(JSON.stringify([receipt.queue, receipt.messageId, receipt.receipt]), 'utf8').toString('base64url');
}

export function invalidReceiptHandle(handle: string): LocalServiceError {
  return new LocalServiceError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
  );
}

/** Decodes a receipt handle of `queue`; anything else (garbage, another queue's handle) is ReceiptHandleIsInvalid. */
export function decodeReceiptHandle(handle: unknown, queue: string): Receipt {
  if (typeof handle !== 'string' || handle === '') {
    throw new LocalServiceError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
  }
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8'));
  } catch {
    throw invalidReceiptHandle(handle);
  }
  if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((part) => typeof part === 'string')) {
    throw invalidReceiptHandle(handle);
  }
  const [owner, messageId, receipt] = parts as [string, string, string];
  if (owner !== queue) throw invalidReceiptHandle(handle);
  return { queue: owner, messageId, receipt };
}
