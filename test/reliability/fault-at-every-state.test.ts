import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaConvert } from '../../functions/commons/clients/media-convert';
import { generateClip } from '../../local/cli/sample-clip';
import type { LocalRuntime } from '../../local/runtime/local-runtime';
import type { RedriveReport } from '../../functions/redrive/handler';
import { startTestRuntime } from '../support/local-mode';
import { failuresOf, outcomeOf, retriesOf, uploadAndSettle } from '../support/publish-outcome';
import { armSeamFault } from '../support/seam-faults';
import { PUBLISH_STATE_FAULTS, retryBudget } from './publish-state-faults';

/**
 * Faults at every state of publish-video's happy path, injected where the cloud would answer them: at the service
 * the state calls (through local mode's one seam), never in handler code.
 *
 * - transient: the service refuses once with a throttling answer; the state's Retry absorbs it, the asset is READY
 *   and announced once.
 * - exhausted: the service fails every attempt; the asset is FAILED with one dead letter and one `video.failed`.
 *   Once the service is back, the redrive function (what `vodflow redrive --all` runs) continues the execution and
 *   the asset is READY, announced exactly once in all.
 *
 * Each test uploads its own clip and looks only at its own asset; the shared runtime carries no fault between tests.
 */
const CLIP = { durationSeconds: 2, width: 320, height: 180 };

let runtime: LocalRuntime;
let scratch: string;
let clip: string;
/** How many times a function's SDK client sends a call before the function sees the error. */
let sdkAttempts: number;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'vodflow-faults-'));
  clip = await generateClip(join(scratch, 'clip.mp4'), CLIP);
  runtime = await startTestRuntime();
  sdkAttempts = await mediaConvert.config.maxAttempts();
}, 60_000);

afterAll(async () => {
  await runtime.close();
  await rm(scratch, { recursive: true, force: true });
});

describe.each(PUBLISH_STATE_FAULTS)('a fault at $state', (fault) => {
  it(`that ends (${fault.transient.name}) is absorbed by the state's Retry: READY, announced once`, async () => {
    // The function fails once: its SDK client's own attempts all meet the outage, the state's next attempt does not.
    const failures = fault.via === 'function' ? sdkAttempts : 1;
    const armed = armSeamFault(fault.matches, fault.transient, failures);
    try {
      const assetId = await uploadAndSettle(runtime, clip);
      const outcome = await outcomeOf(runtime, assetId);

      expect(armed.hits).toBe(failures);
      expect(outcome.status).toBe('READY');
      expect(outcome.notifications).toEqual(['video.published']);
      expect(outcome.deadLetters).toEqual([]);
      expect(outcome.executions).toHaveLength(1);
      // Retried once, on the injected error as Step Functions names it, which the state's Retry lists.
      const retries = retriesOf(outcome.executions[0], fault.state);
      expect(retries).toHaveLength(1);
      expect(retries[0]).toContain(fault.transient.name);
      expect(retryBudget(fault.state, retries[0] ?? '')).toBeDefined();
    } finally {
      armed.remove();
    }
  });

  it(`that lasts (${fault.exhausted.name}) fails the publish once; after the outage a redrive makes it READY`, async () => {
    const armed = armSeamFault(fault.matches, fault.exhausted);
    let assetId: string;
    try {
      assetId = await uploadAndSettle(runtime, clip);
      const failed = await outcomeOf(runtime, assetId);
      expect(armed.hits).toBeGreaterThan(0);
      expect(failed.status).toBe('FAILED');
      expect(failed.failedState).toBe(fault.state);
      expect(failed.notifications).toEqual(['video.failed']);
      expect(failed.deadLetters).toHaveLength(1);
      expect(failed.deadLetters[0]?.failedState).toBe(fault.state);
      // Where the state's Retry lists the error (as Step Functions names it), every attempt it allows was made.
      const failures = failuresOf(failed.executions[0], fault.state);
      const budget = retryBudget(fault.state, failures.at(-1) ?? '');
      expect(failures).toHaveLength(budget === undefined ? 1 : budget + 1);
    } finally {
      armed.remove();
    }

    const report = (await runtime.lambda.invoke('redrive', {})) as RedriveReport;
    await runtime.idle();
    const recovered = await outcomeOf(runtime, assetId);

    expect(JSON.stringify(report)).toContain(recovered.executions[0]?.executionArn ?? 'no execution');
    expect(recovered.status).toBe('READY');
    expect(recovered.notifications).toEqual(['video.failed', 'video.published']);
    expect(recovered.deadLetters).toEqual([]);
    expect(recovered.executions).toHaveLength(1);
    expect(recovered.executions[0]?.status).toBe('SUCCEEDED');
  });
});
