import { LocalServiceError } from '../seam/local-service';
import { namedError } from './named-error';

/**
 * Step Functions' payload quota: 256 KiB of UTF-8 for an execution's input, a task's result and a callback's output.
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-task-executions
 */
export const MAX_PAYLOAD_BYTES = 262_144;

/**
 * An API field over the quota (StartExecution `input`, SendTaskSuccess `output`): the request fails the API's
 * length constraint, "expressed as bytes in UTF-8 encoding".
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
 */
export function assertRequestPayload(field: string, text: string): void {
  if (Buffer.byteLength(text, 'utf8') <= MAX_PAYLOAD_BYTES) return;
  throw new LocalServiceError(
    'ValidationException',
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${String(MAX_PAYLOAD_BYTES)}`,
  );
}

/**
 * A task whose result is over the quota fails its state with States.DataLimitExceeded.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export function limitTaskResult<T>(stateName: string, result: T): T {
  const size = Buffer.byteLength(JSON.stringify(result ?? null), 'utf8');
  if (size <= MAX_PAYLOAD_BYTES) return result;
  throw namedError(
    'States.DataLimitExceeded',
    `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
  );
}
