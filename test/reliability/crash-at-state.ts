import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedriveReport } from '../../functions/redrive/handler';
import { generateClip } from '../../local/cli/sample-clip';
import { devToken, uploadFile } from '../../local/cli/upload-client';
import type { LocalRuntime } from '../../local/runtime/local-runtime';
import type { ExecutionRecord } from '../../local/step-functions/execution-record';
import { crash, persistedExecution, startChildServer } from '../support/child-server';
import { OPERATOR, startTestRuntime } from '../support/local-mode';
import { outcomeOf, type PublishOutcome } from '../support/publish-outcome';
import { stablePorts } from '../support/stable-ports';

const run = promisify(execFile);

export interface CrashAt {
  /** The state the execution is in when the process dies. */
  state: string;
  /** The tool that state runs, held until the crash: its variable (FFMPEG_PATH, FFPROBE_PATH) and real binary. */
  tool: { variable: 'FFMPEG_PATH' | 'FFPROBE_PATH'; binary: string };
  /** Hold only the runs whose arguments contain this (default: every run). */
  holdWhen?: string;
}

/**
 * The whole local process dies (SIGKILL to `vodflow serve` and the tools it runs) while an execution is in
 * `state`. The restart on the same data folder and ports settles it (FAILED, one dead letter, one video.failed);
 * `vodflow redrive --all` (the redrive function on the dead-letter queue) continues it at `state` and the asset ends
 * READY, announced exactly once.
 *
 * The execution is held inside `state` deterministically: until the crash, the tool the state runs is a wrapper
 * that waits on a FIFO nobody writes. After the restart, the real tool runs. One state per test file: the functions
 * keep the URLs of the first runtime of their process, as a Lambda container keeps its cold-start configuration.
 */
export function describeCrashAt({ state, tool, holdWhen = '' }: CrashAt): void {
  const CLIP = { durationSeconds: 2, width: 320, height: 180 };

  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  let crashedIn: ExecutionRecord;
  let afterRestart: ExecutionRecord | undefined;
  let redrive: RedriveReport;
  let settled: PublishOutcome;
  let outcome: PublishOutcome;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vodflow-crash-'));
    const clip = await generateClip(join(dataDir, 'clip.mp4'), CLIP);
    const fifo = join(dataDir, 'tool-held');
    await run('mkfifo', [fifo]);
    const heldTool = join(dataDir, 'tool-held.sh');
    await writeFile(
      heldTool,
      `#!/bin/sh\ncase "$*" in *'${holdWhen}'*) read held < '${fifo}';; esac\nexec '${tool.binary}' "$@"\n`,
    );
    await chmod(heldTool, 0o755);

    const [port = 0, edgePort = 0] = await stablePorts(2);
    const server = await startChildServer(dataDir, { port, edgePort }, { [tool.variable]: heldTool });
    const endpoints = { appUrl: `http://127.0.0.1:${String(port)}`, edgeUrl: `http://127.0.0.1:${String(edgePort)}` };
    const token = await devToken(endpoints, OPERATOR.user, OPERATOR.entitlements);
    await uploadFile(endpoints, token, clip);
    crashedIn = await persistedExecution(dataDir, (record) => record.currentState?.name === state);
    await crash(server);

    runtime = await startTestRuntime({ dataDir, port, edgePort });
    // At start, local mode settles the execution the crash cut short (as Step Functions' status-change event does
    // in the cloud): catalogue FAILED, a dead letter, a notification.
    await runtime.idle();
    afterRestart = structuredClone(
      runtime.services.stepFunctions.list().find((record) => record.executionArn === crashedIn.executionArn),
    );
    const { assetId } = JSON.parse(crashedIn.input) as { assetId: string };
    settled = await outcomeOf(runtime, assetId);
    // The documented recovery: `vodflow redrive --all`, which runs the redrive function on the dead-letter queue.
    redrive = (await runtime.lambda.invoke('redrive', {})) as RedriveReport;
    await runtime.idle();
    outcome = await outcomeOf(runtime, assetId);
  }, 180_000);

  afterAll(async () => {
    await runtime?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe(`a crash of local mode during ${state}`, () => {
    it(`is settled at the restart: execution and asset FAILED at ${state}, one dead letter, one video.failed`, () => {
      expect(afterRestart?.status).toBe('FAILED');
      expect(afterRestart?.failedState?.name).toBe(state);
      expect(settled.status).toBe('FAILED');
      expect(settled.failedState).toBe(state);
      expect(settled.deadLetters).toEqual([{ failedState: state, executionArn: crashedIn.executionArn }]);
      expect(settled.notifications).toEqual(['video.failed']);
    });

    it(`is redriven at ${state}, not from the start, and the execution SUCCEEDS`, () => {
      expect(JSON.stringify(redrive)).toContain(crashedIn.executionArn);
      const execution = outcome.executions[0];
      const redriven = execution?.history.findIndex((event) => event.type === 'ExecutionRedriven') ?? -1;
      const enteredAfter = (execution?.history ?? [])
        .slice(redriven + 1)
        .filter((event) => event.type.endsWith('StateEntered'))
        .map((event) => event.stateName);
      expect(redriven).toBeGreaterThan(0);
      expect(enteredAfter[0]).toBe(state);
      expect(enteredAfter).toContain('NotifyPublished');
      expect(execution?.status).toBe('SUCCEEDED');
    });

    it('ends READY with exactly one video.published, one execution and no dead letter', () => {
      expect(outcome.status).toBe('READY');
      expect(outcome.notifications).toEqual(['video.failed', 'video.published']);
      expect(outcome.executions).toHaveLength(1);
      expect(outcome.deadLetters).toEqual([]);
    });
  });
}
