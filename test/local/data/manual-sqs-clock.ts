import type { SqsClock } from '../../../local/services/sqs/sqs-clock';

/** An SqsClock that moves only when the test calls `advance`: timers fire then, in time order, never on their own. */
export class ManualSqsClock implements SqsClock {
  private time: number;
  private readonly timers = new Set<{ at: number; wake: () => void }>();

  constructor(start = Date.parse('2026-12-08T00:00:00Z')) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(milliseconds: number, wake: () => void): () => void {
    const timer = { at: this.time + milliseconds, wake };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Moves time forward and wakes every timer that is due, then lets the woken work run. */
  async advance(milliseconds: number): Promise<void> {
    this.time += milliseconds;
    const due = [...this.timers].filter((timer) => timer.at <= this.time).sort((a, b) => a.at - b.at);
    for (const timer of due) {
      this.timers.delete(timer);
      timer.wake();
    }
    await settle();
  }

  /** Resolves once some timer waits (a long poll has started waiting); no time passes. */
  async waiting(): Promise<void> {
    while (this.timers.size === 0) await settle();
  }

  /** Timers still waiting (a long poll that has not answered has one). */
  get pending(): number {
    return this.timers.size;
  }
}

/** Lets every promise already resolved run its continuations (no time passes). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
