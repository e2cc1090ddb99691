import type { CommandOutput } from '../seam/local-service';
import { isRedrivable, type ExecutionRecord } from './execution-record';

/** DescribeExecution's answer, with the SDK's types (dates as Date). */
export function describeExecution(record: ExecutionRecord): CommandOutput {
  const redrivable = isRedrivable(record) && record.failedState !== undefined;
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: new Date(record.startDate),
    ...(record.stopDate ? { stopDate: new Date(record.stopDate) } : {}),
    input: record.input,
    ...(record.output === undefined ? {} : { output: record.output }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.cause === undefined ? {} : { cause: record.cause }),
    redriveCount: record.redriveCount,
    ...(record.redriveDate ? { redriveDate: new Date(record.redriveDate) } : {}),
    redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
    ...(redrivable ? {} : { redriveStatusReason: `Execution is ${record.status}` }),
  };
}

export function listItem(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: new Date(record.startDate),
    ...(record.stopDate ? { stopDate: new Date(record.stopDate) } : {}),
    redriveCount: record.redriveCount,
  };
}

/** GetExecutionHistory's events: the AWS event types and detail fields the console shows. */
export function historyEvents(record: ExecutionRecord): Record<string, unknown>[] {
  // Retries and catches are kept in the record for local inspection; Step Functions' history has no such event
  // types (a retry shows as the task scheduled again), so GetExecutionHistory leaves them out, and a TaskFailed only
  // exists for a Task state's integration (resourceType and resource are required in the API's TaskFailedEventDetails).
  const listed = record.history.filter(
    (event) =>
      event.type !== 'StateRetried' &&
      event.type !== 'StateCaught' &&
      (event.type !== 'TaskFailed' || event.resourceType !== undefined),
  );
  return listed.map((event) => {
    const base = {
      id: event.id,
      previousEventId: event.id - 1,
      timestamp: new Date(event.timestamp),
      type: event.type,
    };
    if (event.type.endsWith('StateEntered')) {
      return { ...base, stateEnteredEventDetails: { name: event.stateName, input: JSON.stringify(event.input) } };
    }
    if (event.type.endsWith('StateExited')) {
      return { ...base, stateExitedEventDetails: { name: event.stateName, output: JSON.stringify(event.output) } };
    }
    if (event.type === 'ExecutionRedriven') {
      return { ...base, executionRedrivenEventDetails: { redriveCount: event.redriveCount } };
    }
    if (event.type === 'ExecutionFailed' || event.type === 'TaskFailed') {
      return {
        ...base,
        [event.type === 'TaskFailed' ? 'taskFailedEventDetails' : 'executionFailedEventDetails']: {
          error: event.error,
          cause: event.cause,
          ...(event.type === 'TaskFailed' ? { resourceType: event.resourceType, resource: event.resource } : {}),
        },
      };
    }
    return base;
  });
}
