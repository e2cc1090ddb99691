import type { Json } from './load-definition';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HistoryEvent {
  id: number;
  type: string;
  timestamp: string;
  stateName?: string;
  input?: Json;
  output?: Json;
  error?: string;
  cause?: string;
  redriveCount?: number;
  /** TaskFailed: the integration as Step Functions names it (`lambda` / `invoke.waitForTaskToken`, ...). */
  resourceType?: string;
  resource?: string;
}

/** One execution as local Step Functions keeps it on disk: enough to describe it, list its history and redrive it. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: string;
  /** The state that ended the last run unsuccessfully and its input: where a redrive continues. */
  failedState?: { name: string; input: Json };
  /** The state being executed (persisted so that a run interrupted by a restart can be redriven from it). */
  currentState?: { name: string; input: Json };
  redriveClientTokens: string[];
  history: HistoryEvent[];
  /**
   * Whether the "Execution Status Change" event of the last stop (FAILED, TIMED_OUT, ABORTED) was sent. A stop while
   * local mode shuts down or crashes is announced at the next start, as Step Functions would have announced it.
   */
  stopAnnounced?: boolean;
}

export function isRedrivable(record: ExecutionRecord): boolean {
  return record.status === 'FAILED' || record.status === 'TIMED_OUT' || record.status === 'ABORTED';
}
