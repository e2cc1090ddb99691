import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AssetView } from '../../../local/cli/asset-status';
import { generateClip } from '../../../local/cli/sample-clip';
import { locateFfmpegBinaries } from '../../../local/ffmpeg/locate-binaries';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { LOCAL_STACK } from '../../../local/runtime/local-stack';
import type { ExecutionRecord } from '../../../local/step-functions/execution-record';
import { PROJECT_ROOT } from '../../../local/runtime/project-root';
import { operatorToken, publishClip, startTestRuntime } from '../../support/local-mode';
import { stablePorts } from '../../support/stable-ports';

const run = promisify(execFile);

/**
 * A transcoder that exits non-zero fails the publish the way the design says (FAILED record with the failed state,
 * a dead letter, a notification, the source kept); then, after a restart of local mode, `vodflow redrive --all`
 * continues the execution at the failed step, not from the start, and the asset ends READY.
 */
let dataDir: string;
let failFlag: string;
let wrapper: string;
let runtime: LocalRuntime;
let failed: AssetView;
let executionName: string;
let ports: number[];
/** What the failure left behind, read once before any test restarts local mode: each test stands on its own. */
let afterFailure: { sourceObjects: number; deadLetters: string[]; notifications: string[] };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-redrive-'));
  failFlag = join(dataDir, 'transcoder-fails');
  wrapper = join(dataDir, 'ffmpeg-wrapper.sh');
  const realFfmpeg = locateFfmpegBinaries().ffmpeg;
  // Exits 1 while the flag exists (only for encodes, which write CMAF through the dash muxer); else the real ffmpeg.
  await writeFile(
    wrapper,
    `#!/bin/sh\nif [ -f '${failFlag}' ]; then echo 'injected transcoder failure' >&2; exit 1; fi\nexec '${realFfmpeg}' "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  const clip = await generateClip(join(dataDir, 'clip.mp4'), { durationSeconds: 8, width: 640, height: 360 });
  await writeFile(failFlag, '');
  process.env.FFMPEG_PATH = wrapper;

  // The redrive restarts local mode on this data folder, so on the same ports (its playback URLs name the edge).
  ports = await stablePorts(2);
  runtime = await startTestRuntime({ dataDir, port: ports[0], edgePort: ports[1] });
  failed = await publishClip(runtime, { durationSeconds: 8, width: 640, height: 360 }, { file: clip });
  await runtime.idle();
  executionName = runtime.services.stepFunctions.list()[0]?.name ?? '';
  afterFailure = {
    sourceObjects: (await runtime.services.s3.list(LOCAL_STACK.sourceBucket, `uploads/${failed.assetId}/`)).length,
    deadLetters: runtime.services.sqs.peek(LOCAL_STACK.deadLetterQueue).map((letter) => letter.body),
    notifications: runtime.services.sns.messages(LOCAL_STACK.notificationsTopic).map((n) => JSON.stringify(n)),
  };
}, 120_000);

afterAll(async () => {
  await runtime.close();
  delete process.env.FFMPEG_PATH;
  await rm(dataDir, { recursive: true, force: true });
});

describe('a transcoder failure in local mode', () => {
  it('records FAILED with the failed state and the transcoder error, and keeps the source', () => {
    expect(failed.status).toBe('FAILED');
    expect(failed.error?.state).toBe('Transcode');
    expect(`${failed.error?.error ?? ''} ${failed.error?.cause ?? ''}`).toMatch(/MediaConvertJobFailed|injected/);
    expect(afterFailure.sourceObjects).toBe(1);
  });

  it('leaves one dead letter naming the execution and the failed state, and one failure notification', () => {
    const letters = afterFailure.deadLetters;
    expect(letters).toHaveLength(1);
    const body = JSON.parse(letters[0] ?? '{}') as Record<string, unknown>;
    expect(JSON.stringify(body)).toContain(executionName);
    expect(JSON.stringify(body)).toContain('Transcode');
    const notifications = afterFailure.notifications;
    expect(notifications.filter((n) => n.includes('video.failed'))).toHaveLength(1);
    expect(notifications.filter((n) => n.includes('video.published'))).toHaveLength(0);
  });

  it('is redriven by `vodflow redrive --all` after a restart, continues at Transcode and ends READY', async () => {
    await runtime.close();
    await rm(failFlag);

    const { stdout } = await run(
      process.execPath,
      [
        join(PROJECT_ROOT, 'bin', 'vodflow.mjs'),
        'redrive',
        '--all',
        '--data',
        dataDir,
        '--port',
        String(ports[0]),
        '--edge-port',
        String(ports[1]),
      ],
      {
        env: { ...process.env, FFMPEG_PATH: wrapper, LOG_LEVEL: 'error' },
        timeout: 120_000,
      },
    );
    expect(stdout).toMatch(/"redriven"/);
    expect(stdout).toMatch(new RegExp(`${executionName}\\s+SUCCEEDED\\s+redriven 1x`));

    const record = JSON.parse(
      await readFile(join(dataDir, 'stepfunctions', `${executionName}.json`), 'utf8'),
    ) as ExecutionRecord;
    const redriven = record.history.findIndex((event) => event.type === 'ExecutionRedriven');
    const enteredAfter = record.history
      .slice(redriven + 1)
      .filter((event) => event.type.endsWith('StateEntered'))
      .map((event) => event.stateName);
    expect(redriven).toBeGreaterThan(0);
    expect(enteredAfter.slice(0, 2)).toEqual(['AwaitRedrive', 'Transcode']);
    expect(enteredAfter).not.toContain('ProbeSource');
    expect(enteredAfter).toContain('NotifyPublished');

    // Same ports as before the restart: the functions, loaded once per process as in a Lambda container, keep the
    // issuer and edge URLs they read at cold start.
    runtime = await startTestRuntime({ dataDir, port: ports[0], edgePort: ports[1] });
    const token = await operatorToken(runtime);
    const asset = (await (
      await fetch(`${runtime.endpoints.appUrl}/api/videos/${failed.assetId}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as AssetView;
    expect(asset.status).toBe('READY');
    expect(runtime.services.sqs.peek(LOCAL_STACK.deadLetterQueue)).toEqual([]);
    const published = runtime.services.sns
      .messages(LOCAL_STACK.notificationsTopic)
      .filter((n) => JSON.stringify(n).includes('video.published'));
    expect(published).toHaveLength(1);
  }, 180_000);
});
