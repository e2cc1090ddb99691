import { logger } from '../../functions/commons/logger';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../seam/local-events';
import type { Scheduler } from './scheduler';
import type { LocalLambda } from './lambda-functions';

export interface ScheduledFunction {
  /** Cancels the next run and waits for the one in flight. */
  stop(): Promise<void>;
}

/** The event an EventBridge schedule (`rate(...)`) delivers to its target. */
function scheduledEvent(ruleName: string, time: Date): Record<string, unknown> {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: time.toISOString(),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${ruleName}`],
    detail: {},
  };
}

/**
 * An EventBridge schedule invoking a function every `intervalMs`, as serverless.yml's `schedule` event does. A failed
 * run is logged and the schedule goes on (the next run is the retry); runs never overlap.
 */
export function scheduleFunction(options: {
  lambda: LocalLambda;
  functionName: string;
  ruleName: string;
  intervalMs: number;
  scheduler: Scheduler;
}): ScheduledFunction {
  let cancel: (() => void) | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const run = async (): Promise<void> => {
    try {
      await options.lambda.invoke(options.functionName, scheduledEvent(options.ruleName, new Date()));
    } catch (error) {
      logger.warn('scheduled function failed', { functionName: options.functionName, error });
    }
  };
  const next = (): void => {
    cancel = options.scheduler.after(options.intervalMs, () => {
      inFlight = run().finally(() => {
        inFlight = undefined;
        if (!stopped) next();
      });
      return inFlight;
    });
  };
  next();
  return {
    stop: async () => {
      stopped = true;
      cancel?.();
      await inFlight;
    },
  };
}
