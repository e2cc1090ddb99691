import type { LocalEvent } from '../seam/local-events';

export interface EventRule {
  name: string;
  matches(event: LocalEvent): boolean;
  target(event: LocalEvent): Promise<unknown>;
  /** Attempts after the first (EventBridge retries a failed target; Lambda async adds its own). */
  retries: number;
  /** Where an event goes once every attempt failed (the events DLQ in the cloud). */
  deadLetter(event: LocalEvent, error: unknown): Promise<void>;
}

/**
 * EventBridge for the local services' events: each rule delivers its events in order, one at a time, retrying a
 * failing target with backoff and parking the event in its dead-letter queue when attempts run out.
 */
export class LocalEventBus {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly rules: EventRule[],
    private readonly backoffMs = 500,
  ) {}

  publish = (event: LocalEvent): void => {
    for (const rule of this.rules) {
      if (!rule.matches(event)) continue;
      const previous = this.queues.get(rule.name) ?? Promise.resolve();
      this.queues.set(
        rule.name,
        previous.then(() => this.deliver(rule, event)),
      );
    }
  };

  /**
   * Resolves when every event published so far has been delivered or dead-lettered, including events published
   * while waiting. Each rule's queue is awaited once per new tail: a tail already settled is never awaited again,
   * so the wait ends (re-awaiting settled tails would only queue microtasks and starve the event loop).
   */
  async idle(): Promise<void> {
    const settled = new Set<Promise<void>>();
    for (;;) {
      const pending = [...this.queues.values()].filter((queue) => !settled.has(queue));
      if (pending.length === 0) return;
      await Promise.all(pending);
      for (const queue of pending) settled.add(queue);
    }
  }

  private async deliver(rule: EventRule, event: LocalEvent): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= rule.retries; attempt += 1) {
      try {
        await rule.target(event);
        return;
      } catch (error) {
        lastError = error;
        if (attempt < rule.retries) await new Promise((resolve) => setTimeout(resolve, this.backoffMs * 2 ** attempt));
      }
    }
    await rule.deadLetter(event, lastError).catch(() => undefined);
  }
}
