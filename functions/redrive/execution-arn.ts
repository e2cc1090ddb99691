const EXECUTION_ARN = /^arn:([a-z-]+):states:([a-z0-9-]+):(\d{12}):execution:([^:]+):([^:]+)$/;

/** True for a Standard workflow execution ARN (Express execution ARNs differ and cannot be redriven anyway). */
export function isExecutionArn(value: string): boolean {
  return EXECUTION_ARN.test(value);
}

/** The state machine an execution ARN belongs to: `...:execution:<machine>:<name>` -> `...:stateMachine:<machine>`. */
export function stateMachineArnOf(executionArn: string): string | undefined {
  const match = EXECUTION_ARN.exec(executionArn);
  if (!match) return undefined;
  const [, partition, region, account, machine] = match;
  return `arn:${String(partition)}:states:${String(region)}:${String(account)}:stateMachine:${String(machine)}`;
}

/** Why this function must not touch the execution, or undefined when it belongs to the configured state machine. */
export function foreignExecutionReason(executionArn: string, stateMachineArn: string): string | undefined {
  const owner = stateMachineArnOf(executionArn);
  if (owner === undefined) return 'not a Step Functions execution ARN';
  return owner === stateMachineArn ? undefined : `execution of another state machine (${owner})`;
}
