import type { LocalEvent } from '../../local/seam/local-events';
import { LocalEventBus, type EventRule } from '../../local/runtime/local-event-bus';

/**
 * Found by the concurrent publishes: with two rules, waiting for the bus while one rule's target published again
 * re-awaited the other rule's settled queue forever, a loop of microtasks that blocked the whole process.
 */
function event(kind: string): LocalEvent {
  return { source: 'test', 'detail-type': kind, detail: {} } as unknown as LocalEvent;
}

it('idle() returns once events published while it waits are delivered, with several rules', async () => {
  const delivered: string[] = [];
  const rules: EventRule[] = [];
  const bus = new LocalEventBus(rules, 0);
  const rule = (name: string, target: (e: LocalEvent) => Promise<void>): EventRule => ({
    name,
    matches: (e) => e['detail-type'] === name,
    target,
    retries: 0,
    deadLetter: () => Promise.resolve(),
  });
  rules.push(
    rule('first', async (e) => {
      delivered.push(`first:${String((e.detail as { round?: number }).round ?? 0)}`);
      const round = ((e.detail as { round?: number }).round ?? 0) + 1;
      // A target that causes a follow-up event on its own rule (a job's state changes, one after the other).
      if (round < 3) bus.publish({ ...event('first'), detail: { round } });
      await Promise.resolve();
    }),
    rule('second', async () => {
      delivered.push('second');
      await Promise.resolve();
    }),
  );

  bus.publish(event('first'));
  bus.publish(event('second'));
  await bus.idle();

  expect(delivered.sort()).toEqual(['first:0', 'first:1', 'first:2', 'second']);
});
