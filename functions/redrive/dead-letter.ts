import { isExecutionArn } from './execution-arn';

/**
 * The parts of a dead-letter message (written by SendToDeadLetterQueue in publish-video) that re-driving needs. The
 * message's error and cause are deliberately not kept: they may quote input and must not reach logs or reports.
 */
export interface DeadLetter {
  executionArn: string;
  assetId?: string;
  publishId?: string;
  failedState?: string;
  /** `$$.Execution.RedriveCount` when the failure was recorded. */
  redriveCount?: number;
}

export type ParsedDeadLetter = { ok: true; deadLetter: DeadLetter } | { ok: false; reason: string };

export function parseDeadLetter(body: string | undefined): ParsedDeadLetter {
  if (body === undefined || body.trim() === '') return { ok: false, reason: 'empty body' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'body is not a JSON object' };
  }
  const fields = parsed as Record<string, unknown>;
  const { executionArn, redriveCount } = fields;
  if (typeof executionArn !== 'string') return { ok: false, reason: 'body has no executionArn' };
  if (!isExecutionArn(executionArn)) return { ok: false, reason: 'executionArn is not a Step Functions execution ARN' };
  if (
    redriveCount !== undefined &&
    !(typeof redriveCount === 'number' && Number.isInteger(redriveCount) && redriveCount >= 0)
  ) {
    return { ok: false, reason: 'redriveCount is not a non-negative integer' };
  }
  return {
    ok: true,
    deadLetter: {
      executionArn,
      assetId: optionalString(fields.assetId),
      publishId: optionalString(fields.publishId),
      failedState: optionalString(fields.failedState),
      redriveCount,
    },
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
