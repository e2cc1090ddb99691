import type { Scheduler } from '../../local/runtime/scheduler';

/** A Scheduler whose ticks happen only when the test calls `tick()`: no timer ever fires on its own. */
export class ManualScheduler implements Scheduler {
  private readonly ticks = new Set<() => void>();

  every(_intervalMs: number, tick: () => void): () => void {
    this.ticks.add(tick);
    return () => this.ticks.delete(tick);
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
}
