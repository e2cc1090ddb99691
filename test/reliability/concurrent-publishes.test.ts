import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateClip } from '../../local/cli/sample-clip';
import type { LocalRuntime } from '../../local/runtime/local-runtime';
import { LOCAL_STACK } from '../../local/runtime/local-stack';
import { startTestRuntime } from '../support/local-mode';
import { outcomeOf, uploadAndSettle, type PublishOutcome } from '../support/publish-outcome';

/**
 * Twenty uploads through the API at once, as twenty browsers would send them: every one is published, once.
 */
const PUBLISHES = 20;
const CLIP = { durationSeconds: 2, width: 320, height: 180 };

let runtime: LocalRuntime;
let scratch: string;
let outcomes: PublishOutcome[];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'vodflow-concurrent-'));
  const clip = await generateClip(join(scratch, 'clip.mp4'), CLIP);
  runtime = await startTestRuntime();
  const assetIds = await Promise.all(Array.from({ length: PUBLISHES }, () => uploadAndSettle(runtime, clip)));
  await runtime.idle();
  outcomes = await Promise.all(assetIds.map((assetId) => outcomeOf(runtime, assetId)));
}, 300_000);

afterAll(async () => {
  await runtime.close();
  await rm(scratch, { recursive: true, force: true });
});

describe(`${String(PUBLISHES)} concurrent publishes through the API`, () => {
  it('are twenty distinct assets, every one READY', () => {
    expect(new Set(outcomes.map((outcome) => outcome.assetId)).size).toBe(PUBLISHES);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array.from({ length: PUBLISHES }, () => 'READY'));
  });

  it('announce exactly one video.published per asset, and nothing else', () => {
    expect(outcomes.map((outcome) => outcome.notifications)).toEqual(
      Array.from({ length: PUBLISHES }, () => ['video.published']),
    );
    const published = runtime.services.sns
      .messages(LOCAL_STACK.notificationsTopic)
      .filter((message) => message.messageAttributes.event?.StringValue === 'video.published');
    expect(published).toHaveLength(PUBLISHES);
  });

  it('ran one execution per asset, each SUCCEEDED without a redrive', () => {
    expect(outcomes.map((outcome) => outcome.executions.map((execution) => execution.status))).toEqual(
      Array.from({ length: PUBLISHES }, () => ['SUCCEEDED']),
    );
    expect(runtime.services.stepFunctions.list()).toHaveLength(PUBLISHES);
    expect(runtime.services.stepFunctions.list().filter((execution) => execution.redriveCount > 0)).toEqual([]);
  });

  it('leave both dead-letter queues empty', () => {
    expect(runtime.services.sqs.peek(LOCAL_STACK.deadLetterQueue)).toEqual([]);
    expect(runtime.services.sqs.peek(LOCAL_STACK.eventsDeadLetterQueue)).toEqual([]);
  });
});
