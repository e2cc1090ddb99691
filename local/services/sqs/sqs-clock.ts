/**
 * Time is an input of local SQS: delays, visibility timeouts, retention and long polls read `now()` and wait with
 * `after()`, so tests move time instead of sleeping.
 */
export interface SqsClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `wake` once `milliseconds` have passed; the returned function cancels it. */
  after(milliseconds: number, wake: () => void): () => void;
}

export const realSqsClock: SqsClock = {
  now: () => Date.now(),
  after(milliseconds, wake) {
    const timer = setTimeout(wake, milliseconds);
    timer.unref();
    return () => {
      clearTimeout(timer);
    };
  },
};
