/**
 * Time is an input: code that repeats or waits for something takes a Scheduler, the real one by default, so tests
 * can drive each tick and move time themselves instead of sleeping and racing a timer.
 */
export interface Scheduler {
  /** Calls `tick` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, tick: () => void): () => void;
  /** Calls `callback` once after `delayMs` (a promise it returns is the work it started); returns a cancel function. */
  after(delayMs: number, callback: () => void | Promise<void>): () => void;
}

export const realScheduler: Scheduler = {
  every(intervalMs, tick) {
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  },
  after(delayMs, callback) {
    const timer = setTimeout(() => void callback(), delayMs);
    timer.unref();
    return () => {
      clearTimeout(timer);
    };
  },
};
