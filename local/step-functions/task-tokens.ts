import { randomBytes } from 'node:crypto';
import { LocalServiceError } from '../seam/local-service';
import { namedError } from './named-error';
import { realScheduler, type Scheduler } from '../runtime/scheduler';

interface Waiting {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  heartbeatSeconds?: number;
  cancelTimer?: () => void;
}

/**
 * Task tokens of `.waitForTaskToken` states: SendTaskSuccess / SendTaskFailure settle the waiting state,
 * SendTaskHeartbeat restarts its HeartbeatSeconds clock, and a clock that runs out fails the state with
 * States.HeartbeatTimeout, as Step Functions does. A settled token answers TaskTimedOut, an unknown one
 * TaskDoesNotExist.
 */
export class TaskTokens {
  private readonly waiting = new Map<string, Waiting>();
  private readonly closed = new Set<string>();

  constructor(private readonly scheduler: Scheduler = realScheduler) {}

  wait(executionArn: string, heartbeatSeconds: number | undefined): { token: string; settled: Promise<unknown> } {
    const token = randomBytes(48).toString('base64url');
    const settled = new Promise<unknown>((resolve, reject) => {
      const entry: Waiting = { executionArn, resolve, reject };
      if (heartbeatSeconds !== undefined) entry.heartbeatSeconds = heartbeatSeconds;
      this.waiting.set(token, entry);
      this.restartHeartbeat(token, entry);
    });
    return { token, settled };
  }

  succeed(token: string, output: string): void {
    const entry = this.take(token);
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new LocalServiceError('InvalidOutput', 'output is not valid JSON');
    }
    entry.resolve(parsed);
  }

  fail(token: string, error: string | undefined, cause: string | undefined): void {
    this.take(token).reject(namedError(error ?? '', cause ?? ''));
  }

  heartbeat(token: string): void {
    const entry = this.find(token);
    this.restartHeartbeat(token, entry);
  }

  /** Abandons every token of an execution that ended (aborted, timed out, failed elsewhere). */
  closeExecution(executionArn: string): void {
    for (const [token, entry] of this.waiting) {
      if (entry.executionArn !== executionArn) continue;
      entry.cancelTimer?.();
      this.waiting.delete(token);
      this.closed.add(token);
      // Settle the state's wait, so that nothing of the ended run (the library's own timers) outlives it.
      entry.reject(namedError('States.Aborted', 'the execution ended while this task waited'));
    }
  }

  /** Abandons a token whose state ended without it (the state's TimeoutSeconds, an abort). */
  abandon(token: string): void {
    const entry = this.waiting.get(token);
    if (!entry) return;
    entry.cancelTimer?.();
    this.waiting.delete(token);
    this.closed.add(token);
  }

  private restartHeartbeat(token: string, entry: Waiting): void {
    entry.cancelTimer?.();
    if (entry.heartbeatSeconds === undefined) return;
    entry.cancelTimer = this.scheduler.after(entry.heartbeatSeconds * 1000, () => {
      this.abandon(token);
      entry.reject(namedError('States.HeartbeatTimeout', `no heartbeat for ${String(entry.heartbeatSeconds)} s`));
    });
  }

  private find(token: string): Waiting {
    const entry = this.waiting.get(token);
    if (entry) return entry;
    if (this.closed.has(token)) throw new LocalServiceError('TaskTimedOut', 'Task Timed Out');
    throw new LocalServiceError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  private take(token: string): Waiting {
    const entry = this.find(token);
    entry.cancelTimer?.();
    this.waiting.delete(token);
    this.closed.add(token);
    return entry;
  }
}
