import { SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { stepFunctions } from './clients/step-functions';
import { isAwsError } from './errors';
import type { TranscodeResult } from './types';

/** The execution no longer waits on this token (timed out, aborted, or redriven with a new token). */
export function isStaleToken(error: unknown): boolean {
  return isAwsError(error, 'TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken');
}

export async function sendHeartbeat(taskToken: string): Promise<void> {
  await stepFunctions.send(new SendTaskHeartbeatCommand({ taskToken }));
}

export async function sendSuccess(taskToken: string, result: TranscodeResult): Promise<void> {
  await stepFunctions.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(result) }));
}

/** Step Functions caps error at 256 and cause at 32,768 characters. */
export async function sendFailure(taskToken: string, error: string, cause: string): Promise<void> {
  await stepFunctions.send(
    new SendTaskFailureCommand({ taskToken, error: error.slice(0, 256), cause: cause.slice(0, 32768) }),
  );
}
