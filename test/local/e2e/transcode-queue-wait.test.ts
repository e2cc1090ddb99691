import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { waitForFinalStatus } from '../../../local/cli/asset-status';
import { generateClip } from '../../../local/cli/sample-clip';
import { uploadFile } from '../../../local/cli/upload-client';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { LOCAL_STACK } from '../../../local/runtime/local-stack';
import type { LocalEvent } from '../../../local/seam/local-events';
import type { ExecutionRecord, HistoryEvent } from '../../../local/step-functions/execution-record';
import { ManualScheduler } from '../../support/manual-scheduler';
import { operatorToken, startTestRuntime } from '../../support/local-mode';

/**
 * MediaConvert sends no event while a job waits in its queue, so only the transcode watchdog (every 5 minutes)
 * keeps the Transcode state (HeartbeatSeconds 900) alive; and when a job's last event is lost, the watchdog or
 * HeartbeatSeconds still ends the wait. Time is the test's: the scheduler moves HeartbeatSeconds and the schedule.
 */
const QUEUE = LOCAL_STACK.mediaConvertQueueArn.split('/').pop() ?? '';
const MINUTE = 60_000;
const CLIP = { durationSeconds: 2, width: 320, height: 180 };

const isMediaConvertEvent = (event: LocalEvent) => event.source === 'aws.mediaconvert';

/** Polls `read` until `accept` holds (the local services work in the background; no timing is asserted). */
async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface StoredToken {
  assetId?: { S: string };
  jobId?: { S: string };
}

/** The job the asset's Transcode state waits on, once submit-transcode stored its id. */
async function waitingJobId(runtime: LocalRuntime, assetId: string): Promise<string> {
  const find = async () => {
    const { Items = [] } = (await runtime.services.dynamoDb.handle('Scan', {
      TableName: LOCAL_STACK.transcodeJobsTable,
    })) as { Items?: StoredToken[] };
    return Items.find((item) => item.assetId?.S === assetId)?.jobId?.S;
  };
  return (await eventually(find, (jobId) => jobId !== undefined, 'a submitted job')) ?? '';
}

async function jobStatus(runtime: LocalRuntime, id: string): Promise<string> {
  const { Job } = (await runtime.services.mediaConvert.handle('GetJob', { Id: id })) as { Job: { Status: string } };
  return Job.Status;
}

async function upload(runtime: LocalRuntime): Promise<{ token: string; assetId: string }> {
  const token = await operatorToken(runtime);
  const file = await generateClip(join(runtime.dataDir, 'clips', `${randomUUID()}.mp4`), CLIP);
  return { token, assetId: await uploadFile(runtime.endpoints, token, file) };
}

/** The state entered right after `stateName` exited, in the asset's execution. */
function stateAfter(runtime: LocalRuntime, assetId: string, stateName: string): HistoryEvent | undefined {
  const history = executionOf(runtime, assetId)?.history ?? [];
  const exited = history.findIndex((event) => event.type === 'TaskStateExited' && event.stateName === stateName);
  return exited < 0 ? undefined : history.slice(exited + 1).find((event) => event.type.endsWith('StateEntered'));
}

function executionOf(runtime: LocalRuntime, assetId: string): ExecutionRecord | undefined {
  return runtime.services.stepFunctions.list().find((candidate) => candidate.input.includes(assetId));
}

function transcodeHistory(runtime: LocalRuntime, assetId: string): string[] {
  return (executionOf(runtime, assetId)?.history ?? [])
    .filter((event) => event.stateName === 'Transcode' && event.error !== undefined)
    .map((event) => `${event.type}:${String(event.error)}`);
}

/** One local mode for the file (functions read their configuration once per process, as a Lambda container). */
const scheduler = new ManualScheduler();
let runtime: LocalRuntime;
let deliverMediaConvertEvents = true;

beforeAll(async () => {
  runtime = await startTestRuntime({
    scheduler,
    deliverEvent: (event) => deliverMediaConvertEvents || !isMediaConvertEvent(event),
  });
});
afterEach(async () => {
  deliverMediaConvertEvents = true;
  await runtime.services.mediaConvert.handle('UpdateQueue', { Name: QUEUE, Status: 'ACTIVE' });
});
afterAll(async () => {
  await runtime.close();
});

function executionStatus(assetId: string): string | undefined {
  return runtime.services.stepFunctions.list().find((candidate) => candidate.input.includes(assetId))?.status;
}

describe('a Transcode waiting on the MediaConvert queue', () => {
  it('survives a queue wait longer than HeartbeatSeconds and publishes once the queue moves', async () => {
    // Prepare: the queue is paused, so the job stays SUBMITTED and MediaConvert says nothing.
    await runtime.services.mediaConvert.handle('UpdateQueue', { Name: QUEUE, Status: 'PAUSED' });
    const { token, assetId } = await upload(runtime);
    const jobId = await waitingJobId(runtime, assetId);

    // Act: 40 minutes in the queue (HeartbeatSeconds is 15), then the queue moves.
    await scheduler.advance(40 * MINUTE);
    const statusAfterWait = await jobStatus(runtime, jobId);
    const executionAfterWait = executionStatus(assetId);
    await runtime.services.mediaConvert.handle('UpdateQueue', { Name: QUEUE, Status: 'ACTIVE' });
    const asset = await waitForFinalStatus(runtime.endpoints, token, assetId, () => undefined, 120_000);

    // Assess: the wait never failed the Transcode; its job's result went on to RegisterAsset and the asset published.
    expect(asset.status).toBe('READY');
    expect(statusAfterWait).toBe('SUBMITTED');
    expect(executionAfterWait).toBe('RUNNING');
    expect(transcodeHistory(runtime, assetId)).toEqual([]);
    expect(stateAfter(runtime, assetId, 'Transcode')).toMatchObject({
      stateName: 'RegisterAsset',
      input: { transcode: { jobId } },
    });
  });

  it('fails the Transcode when a queued job is canceled and its event is lost', async () => {
    deliverMediaConvertEvents = false;
    await runtime.services.mediaConvert.handle('UpdateQueue', { Name: QUEUE, Status: 'PAUSED' });
    const { token, assetId } = await upload(runtime);
    const jobId = await waitingJobId(runtime, assetId);

    await runtime.services.mediaConvert.handle('CancelJob', { Id: jobId });
    await scheduler.advance(5 * MINUTE);
    const asset = await waitForFinalStatus(runtime.endpoints, token, assetId, () => undefined, 60_000);

    expect(asset.status).toBe('FAILED');
    expect(asset.error).toMatchObject({ state: 'Transcode', code: 'MediaConvertJobCanceled' });
    expect(transcodeHistory(runtime, assetId)).toEqual(['TaskFailed:MediaConvertJobCanceled']);
  });

  it('fails the Transcode with States.HeartbeatTimeout when the COMPLETE event of a finished job is lost', async () => {
    deliverMediaConvertEvents = false;
    const { token, assetId } = await upload(runtime);
    const jobId = await waitingJobId(runtime, assetId);
    await eventually(
      () => jobStatus(runtime, jobId),
      (status) => status === 'COMPLETE',
      'the job to complete',
    );

    // The watchdog leaves a COMPLETE job to its event: with no heartbeats, HeartbeatSeconds (15 min) ends the wait.
    await scheduler.advance(10 * MINUTE);
    const statusAt10Minutes = executionStatus(assetId);
    await scheduler.advance(10 * MINUTE);
    const asset = await waitForFinalStatus(runtime.endpoints, token, assetId, () => undefined, 60_000);

    expect(statusAt10Minutes).toBe('RUNNING');
    expect(asset.status).toBe('FAILED');
    expect(asset.error).toMatchObject({ state: 'Transcode', code: 'States.HeartbeatTimeout' });
  });
});
