import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedriveReport } from '../../functions/redrive/handler';
import { generateClip } from '../../local/cli/sample-clip';
import { devToken, uploadFile } from '../../local/cli/upload-client';
import { locateFfmpegBinaries } from '../../local/ffmpeg/locate-binaries';
import type { LocalRuntime } from '../../local/runtime/local-runtime';
import type { ExecutionRecord } from '../../local/step-functions/execution-record';
import { crash, persistedExecution, startChildServer } from '../support/child-server';
import { OPERATOR, startTestRuntime } from '../support/local-mode';
import { outcomeOf, type PublishOutcome } from '../support/publish-outcome';
import { stablePorts } from '../support/stable-ports';

const run = promisify(execFile);

/**
 * The whole local process dies (SIGKILL to `vodflow serve` and the ffmpeg it runs) while an execution is in
 * Transcode. After a restart on the same data folder and ports, a redrive of that execution continues it at
 * Transcode and the asset ends READY, announced exactly once.
 *
 * The transcoder is held inside Transcode deterministically: until the crash, ffmpeg is a wrapper that waits on a
 * FIFO nobody writes. After the restart, the real ffmpeg runs.
 */
const CLIP = { durationSeconds: 2, width: 320, height: 180 };

let dataDir: string;
let runtime: LocalRuntime | undefined;
let crashedIn: ExecutionRecord;
let afterRestart: ExecutionRecord | undefined;
let redrive: RedriveReport;
let outcome: PublishOutcome;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-crash-'));
  const clip = await generateClip(join(dataDir, 'clip.mp4'), CLIP);
  const fifo = join(dataDir, 'transcoder-held');
  await run('mkfifo', [fifo]);
  const heldFfmpeg = join(dataDir, 'ffmpeg-held.sh');
  await writeFile(heldFfmpeg, `#!/bin/sh\nread held < '${fifo}'\nexec '${locateFfmpegBinaries().ffmpeg}' "$@"\n`);
  await chmod(heldFfmpeg, 0o755);

  const [port = 0, edgePort = 0] = await stablePorts(2);
  const server = await startChildServer(dataDir, { port, edgePort }, { FFMPEG_PATH: heldFfmpeg });
  const endpoints = { appUrl: `http://127.0.0.1:${String(port)}`, edgeUrl: `http://127.0.0.1:${String(edgePort)}` };
  const token = await devToken(endpoints, OPERATOR.user, OPERATOR.entitlements);
  await uploadFile(endpoints, token, clip);
  crashedIn = await persistedExecution(dataDir, (record) => record.currentState?.name === 'Transcode');
  await crash(server);

  runtime = await startTestRuntime({ dataDir, port, edgePort });
  afterRestart = structuredClone(
    runtime.services.stepFunctions.list().find((record) => record.executionArn === crashedIn.executionArn),
  );
  // Redriven by ARN: the dead-letter queue has nothing for a crashed execution yet (see the report of issue 12).
  redrive = (await runtime.lambda.invoke('redrive', { executionArn: crashedIn.executionArn })) as RedriveReport;
  await runtime.idle();
  const { assetId } = JSON.parse(crashedIn.input) as { assetId: string };
  outcome = await outcomeOf(runtime, assetId);
}, 180_000);

afterAll(async () => {
  await runtime?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a crash of local mode during Transcode', () => {
  it('leaves the execution FAILED at Transcode after the restart, ready to be redriven', () => {
    expect(afterRestart?.status).toBe('FAILED');
    expect(afterRestart?.failedState?.name).toBe('Transcode');
  });

  it('is redriven at Transcode, not from the start, and the execution SUCCEEDS', () => {
    expect(JSON.stringify(redrive)).toContain(crashedIn.executionArn);
    const execution = outcome.executions[0];
    const redriven = execution?.history.findIndex((event) => event.type === 'ExecutionRedriven') ?? -1;
    const enteredAfter = (execution?.history ?? [])
      .slice(redriven + 1)
      .filter((event) => event.type.endsWith('StateEntered'))
      .map((event) => event.stateName);
    expect(redriven).toBeGreaterThan(0);
    expect(enteredAfter[0]).toBe('Transcode');
    expect(enteredAfter).not.toContain('ProbeSource');
    expect(execution?.status).toBe('SUCCEEDED');
  });

  it('ends READY with exactly one video.published, one execution and no dead letter', () => {
    expect(outcome.status).toBe('READY');
    expect(outcome.notifications.filter((event) => event === 'video.published')).toHaveLength(1);
    expect(outcome.executions).toHaveLength(1);
    expect(outcome.deadLetters).toEqual([]);
  });
});
