import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { stepFunctions } from '../commons/clients/step-functions';
import { isAwsError } from '../commons/errors';
import type { PublishRequest } from '../commons/types';

export type StartOutcome =
  { started: true; executionArn: string; executionName: string } | { started: false; executionName: string };

/**
 * Starts the publish workflow named after the publish id. A closed execution with that name answers
 * ExecutionAlreadyExists: that is a duplicate event, not an error. (While it runs, the same name and input is
 * accepted idempotently and returns the running execution's ARN.)
 */
export async function startPublishExecution(stateMachineArn: string, request: PublishRequest): Promise<StartOutcome> {
  const executionName = request.publishId;
  try {
    const { executionArn } = await stepFunctions.send(
      new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(request) }),
    );
    if (executionArn === undefined) throw new Error('StartExecution returned no executionArn');
    return { started: true, executionArn, executionName };
  } catch (error) {
    if (isAwsError(error, 'ExecutionAlreadyExists')) return { started: false, executionName };
    throw error;
  }
}
