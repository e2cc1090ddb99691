/**
 * Time is an input: code that repeats something on an interval takes a Scheduler, the real one by default, so tests
 * can drive each tick themselves instead of sleeping and racing a timer.
 */
export interface Scheduler {
  /** Calls `tick` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, tick: () => void): () => void;
}

export const realScheduler: Scheduler = {
  every(intervalMs, tick) {
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  },
};
