import type { EventBridgeEvent } from 'aws-lambda';
import { InvalidEvent } from '../commons/errors';

/**
 * Step Functions' "Execution Status Change" event as EventBridge delivers it. `input` is the execution input as a
 * JSON string; Step Functions leaves it out (`inputDetails.included: false`) when it is over 248 KB.
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html
 */
export interface ExecutionStatusChangeDetail {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate?: number;
  stopDate?: number | null;
  input?: string | null;
  inputDetails?: { included: boolean };
  error?: string | null;
  cause?: string | null;
}

export type ExecutionStatusChangeEvent = EventBridgeEvent<'Step Functions Execution Status Change', unknown>;

/** The statuses in which an execution has stopped without succeeding: each may need settling. */
export const STOPPED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type StoppedStatus = (typeof STOPPED_STATUSES)[number];

export interface StoppedExecution {
  executionArn: string;
  stateMachineArn: string;
  status: StoppedStatus;
  /** The execution input when the event carried it; otherwise DescribeExecution has it. */
  input?: string;
  error: string;
  cause: string;
  stoppedAt: string;
}

/** What the catalogue records as the error when the event names none (an operator's Stop may give none). */
const DEFAULT_ERROR: Record<StoppedStatus, string> = {
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'States.Timeout',
  ABORTED: 'ExecutionAborted',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The stopped execution the event announces, or undefined for a status that needs nothing (RUNNING, SUCCEEDED,
 * PENDING_REDRIVE). An event of another shape is a wiring error: InvalidEvent.
 */
export function parseStoppedExecution(event: ExecutionStatusChangeEvent): StoppedExecution | undefined {
  const detail = event.detail;
  if (event.source !== 'aws.states' || !isRecord(detail)) {
    throw new InvalidEvent('expected a Step Functions "Execution Status Change" event');
  }
  const executionArn = text(detail.executionArn);
  const stateMachineArn = text(detail.stateMachineArn);
  const status = text(detail.status);
  if (!executionArn || !stateMachineArn || !status) {
    throw new InvalidEvent('the event has no executionArn, stateMachineArn or status');
  }
  if (!(STOPPED_STATUSES as readonly string[]).includes(status)) return undefined;
  const stopDate = typeof detail.stopDate === 'number' ? detail.stopDate : Date.parse(event.time);
  const input = text(detail.input);
  return {
    executionArn,
    stateMachineArn,
    status: status as StoppedStatus,
    ...(input === undefined ? {} : { input }),
    error: text(detail.error) ?? DEFAULT_ERROR[status as StoppedStatus],
    cause: text(detail.cause) ?? `the execution ended ${status} outside its failure path`,
    stoppedAt: new Date(Number.isFinite(stopDate) ? stopDate : Date.now()).toISOString(),
  };
}
