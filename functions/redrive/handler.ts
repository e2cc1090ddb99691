import type { Context } from 'aws-lambda';
import { requiredEnv } from '../commons/config';
import { logger } from '../commons/logger';
import { foreignExecutionReason } from './execution-arn';
import { redriveExecution } from './redrive-execution';
import { parseRedriveRequest, type RedriveRequest } from './redrive-request';
import { replayDeadLetters } from './replay-dead-letters';
import { emptyReport, record, summary, type RedriveReport } from './report';

export type { RedriveRequest } from './redrive-request';
export type { RedriveReport, ReportEntry } from './report';

/** Stop taking batches this close to the timeout: a batch of ten is about thirty API calls. */
const TIME_RESERVE_MS = 20_000;

interface Config {
  stateMachineArn: string;
  deadLetterQueueUrl: string;
}
let config: Config | undefined;
/** Read on first use and kept: a missing variable fails the first invocation with MissingConfiguration. */
function getConfig(): Config {
  config ??= {
    stateMachineArn: requiredEnv('STATE_MACHINE_ARN'),
    deadLetterQueueUrl: requiredEnv('DEAD_LETTER_QUEUE_URL'),
  };
  return config;
}

/**
 * Operator tool: replays the publish-video dead-letter queue (or redrives one named execution) so that failed
 * executions continue at their failed step. Safe to run twice; `dryRun` changes nothing.
 */
export async function handler(
  event: RedriveRequest | null | undefined,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<RedriveReport> {
  const { stateMachineArn, deadLetterQueueUrl } = getConfig();
  const { executionArn, maxMessages, dryRun } = parseRedriveRequest(event);

  let report: RedriveReport;
  if (executionArn === undefined) {
    report = await replayDeadLetters({
      queueUrl: deadLetterQueueUrl,
      stateMachineArn,
      maxMessages,
      dryRun,
      hasTimeLeft: () => (context?.getRemainingTimeInMillis() ?? Infinity) > TIME_RESERVE_MS,
    });
  } else {
    report = emptyReport('execution', dryRun);
    const foreign = foreignExecutionReason(executionArn, stateMachineArn);
    const result =
      foreign === undefined
        ? await redriveExecution(executionArn, { clientTokenSeed: `execution:${executionArn}`, dryRun })
        : { outcome: 'not-redrivable' as const, reason: foreign };
    record(report, { executionArn, ...result });
    logger.info('execution handled', { executionArn, ...result, dryRun });
  }

  logger.info('redrive finished', summary(report));
  return report;
}
