import { createHash } from 'node:crypto';
import { DescribeExecutionCommand, RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { stepFunctions } from '../commons/clients/step-functions';
import { isAwsError } from '../commons/errors';
import type { Outcome } from './report';

/** The DescribeExecution fields that decide what to do. */
export interface ExecutionState {
  status?: string;
  redriveCount?: number;
  redriveStatus?: string;
  redriveStatusReason?: string;
}

export type Decision = { action: 'redrive' } | { action: 'already-done' | 'not-redrivable' | 'wait'; reason: string };

/**
 * What to do with a failed execution. `recordedRedriveCount` is the count the dead letter recorded: an execution
 * RUNNING with that same count has not been redriven since; it is still on the failure path that sent the message
 * (notify, then fail) and must be left alone for now, not taken for done.
 */
export function decide(execution: ExecutionState, recordedRedriveCount?: number): Decision {
  const { status, redriveStatus } = execution;
  const redriveCount = execution.redriveCount ?? 0;
  if (status === 'SUCCEEDED') return { action: 'already-done', reason: 'execution succeeded' };
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
    if (recordedRedriveCount !== undefined && redriveCount <= recordedRedriveCount) {
      return { action: 'wait', reason: 'execution is still on the failure path that sent this message; replay later' };
    }
    return { action: 'already-done', reason: `execution is ${status} after ${redriveCount} redrive(s)` };
  }
  if (redriveStatus === 'NOT_REDRIVABLE' || redriveStatus === 'REDRIVABLE_BY_MAP_RUN') {
    return { action: 'not-redrivable', reason: execution.redriveStatusReason ?? `redriveStatus is ${redriveStatus}` };
  }
  return { action: 'redrive' };
}

export interface RedriveOptions {
  /** Identifies the request (the dead letter's message id, or the ARN when an operator names one execution). */
  clientTokenSeed: string;
  recordedRedriveCount?: number;
  dryRun: boolean;
}

export interface RedriveResult {
  outcome: Exclude<Outcome, 'unreadable'>;
  reason?: string;
  redriveCount?: number;
  redriveDate?: string;
}

/**
 * Redrives a failed execution from its failed state, or says why not. Never starts a second run of a running or
 * finished execution, which is what makes replaying the same dead letter twice publish once.
 */
export async function redriveExecution(executionArn: string, options: RedriveOptions): Promise<RedriveResult> {
  let execution: ExecutionState;
  try {
    execution = await describe(executionArn);
  } catch (error) {
    return fromError(error);
  }
  const decision = decide(execution, options.recordedRedriveCount);
  if (decision.action !== 'redrive') return fromDecision(decision);

  const currentCount = execution.redriveCount ?? 0;
  if (options.dryRun) return { outcome: 'redriven', reason: 'dry run: would redrive', redriveCount: currentCount + 1 };
  try {
    const { redriveDate } = await stepFunctions.send(
      new RedriveExecutionCommand({ executionArn, clientToken: clientToken(options.clientTokenSeed, currentCount) }),
    );
    return { outcome: 'redriven', redriveCount: currentCount + 1, redriveDate: redriveDate?.toISOString() };
  } catch (error) {
    if (!isAwsError(error, 'ExecutionNotRedrivable')) return fromError(error);
    // Lost a race (a console Redrive, or the 14-day window closed just now): look again to tell which.
    try {
      const again = decide(await describe(executionArn), options.recordedRedriveCount);
      return again.action === 'redrive' ? { outcome: 'not-redrivable', reason: error.message } : fromDecision(again);
    } catch (describeError) {
      return fromError(describeError);
    }
  }
}

/**
 * Same request, same attempt, same token: an SDK or operator retry of this redrive is answered idempotently. The
 * execution's current redrive count is part of it, so a later failure of the same execution gets a fresh token.
 */
export function clientToken(seed: string, currentRedriveCount: number): string {
  return `${createHash('sha256').update(seed, 'utf8').digest('hex').slice(0, 48)}-${currentRedriveCount}`;
}

async function describe(executionArn: string): Promise<ExecutionState> {
  const { status, redriveCount, redriveStatus, redriveStatusReason } = await stepFunctions.send(
    new DescribeExecutionCommand({ executionArn }),
  );
  return { status, redriveCount, redriveStatus, redriveStatusReason };
}

function fromDecision(decision: Exclude<Decision, { action: 'redrive' }>): RedriveResult {
  // 'wait' keeps the message like any other transient failure: it becomes visible again after its timeout.
  return { outcome: decision.action === 'wait' ? 'failed' : decision.action, reason: decision.reason };
}

function fromError(error: unknown): RedriveResult {
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  if (name === 'ExecutionDoesNotExist') return { outcome: 'not-redrivable', reason: 'execution does not exist' };
  return { outcome: 'failed', reason: `${name}: ${message}` };
}
