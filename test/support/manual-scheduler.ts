import type { Scheduler } from '../../local/runtime/scheduler';

interface Timer {
  at: number;
  seq: number;
  callback: () => void | Promise<void>;
}

/**
 * A Scheduler that never fires on its own: interval ticks run when the test calls `tick()`, one-shot timers when it
 * moves time forward with `advance()`.
 */
export class ManualScheduler implements Scheduler {
  private readonly ticks = new Set<() => void>();
  private readonly timers = new Set<Timer>();
  private now = 0;
  private seq = 0;

  every(_intervalMs: number, tick: () => void): () => void {
    this.ticks.add(tick);
    return () => this.ticks.delete(tick);
  }

  after(delayMs: number, callback: () => void | Promise<void>): () => void {
    const timer = { at: this.now + delayMs, seq: (this.seq += 1), callback };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  /** Runs every registered tick once; returns how many there were. */
  tick(): number {
    const pending = [...this.ticks];
    pending.forEach((tick) => {
      tick();
    });
    return pending.length;
  }

  get active(): number {
    return this.ticks.size;
  }

  /** Moves time forward by `ms`, running every one-shot timer due on the way (those they set included), in order. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers].filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers.delete(due);
      this.now = due.at;
      await due.callback();
    }
    this.now = until;
  }
}
