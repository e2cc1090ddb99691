import { watch } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssetView } from '../../../local/cli/asset-status';
import { generateClip } from '../../../local/cli/sample-clip';
import { uploadFile } from '../../../local/cli/upload-client';
import { locateFfmpegBinaries } from '../../../local/ffmpeg/locate-binaries';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { LOCAL_STACK } from '../../../local/runtime/local-stack';
import { operatorToken, startTestRuntime } from '../../support/local-mode';
import { stablePorts } from '../../support/stable-ports';

/**
 * Issue 12's stuck asset: local mode stops while a transcode runs. The execution stops outside the workflow's own
 * failure path, so nothing in the state machine records it; at the next start local Step Functions announces the stop
 * ("Execution Status Change", as Step Functions does to EventBridge) and settle-stopped-execution, the same function
 * the cloud runs, leaves the asset FAILED with one dead letter and one video.failed. `redrive --all` then continues at
 * Transcode and the asset ends READY.
 */
const CLIP = { durationSeconds: 4, width: 320, height: 180 };

let dataDir: string;
let ports: number[];
let holdFlag: string;
let runtime: LocalRuntime;
let assetId: string;

interface Observed {
  status?: string;
  errorState?: string;
  deadLetters: Record<string, unknown>[];
  failedNotices: number;
  publishedNotices: number;
  workFolders: string[];
}

async function observe(local: LocalRuntime): Promise<Observed> {
  const record = (await local.services.dynamoDb.handle('GetItem', {
    TableName: LOCAL_STACK.catalogueTable,
    Key: { assetId: { S: assetId } },
  })) as { Item?: { status?: { S?: string }; error?: { M?: { state?: { S?: string } } } } };
  const notices = local.services.sns.messages(LOCAL_STACK.notificationsTopic).map((n) => JSON.stringify(n));
  return {
    status: record.Item?.status?.S,
    errorState: record.Item?.error?.M?.state?.S,
    deadLetters: local.services.sqs
      .peek(LOCAL_STACK.deadLetterQueue)
      .map((letter) => JSON.parse(letter.body) as Record<string, unknown>),
    failedNotices: notices.filter((n) => n.includes('video.failed')).length,
    publishedNotices: notices.filter((n) => n.includes('video.published')).length,
    workFolders: await readdir(join(dataDir, 'mediaconvert')).catch(() => []),
  };
}

/** Resolves with the pid the held encoder writes once it runs (a watcher on the folder, no polling). */
function encoderStarted(pidFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dataDir, (_event, file) => {
      if (file !== 'encoder.pid') return;
      watcher.close();
      readFile(pidFile, 'utf8').then((text) => {
        resolve(Number(text.trim()));
      }, reject);
    });
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-interrupted-'));
  holdFlag = join(dataDir, 'hold-encoder');
  const pidFile = join(dataDir, 'encoder.pid');
  const wrapper = join(dataDir, 'ffmpeg-wrapper.sh');
  const realFfmpeg = locateFfmpegBinaries().ffmpeg;
  // While the flag exists the encoder never finishes (as a long transcode); without it, the real ffmpeg.
  await writeFile(
    wrapper,
    `#!/bin/sh\nif [ -f '${holdFlag}' ]; then echo $$ > '${pidFile}.tmp'; mv '${pidFile}.tmp' '${pidFile}'; exec sleep 600; fi\nexec '${realFfmpeg}' "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  const clip = await generateClip(join(dataDir, 'clip.mp4'), CLIP);
  await writeFile(holdFlag, '');
  process.env.FFMPEG_PATH = wrapper;
  ports = await stablePorts(2);

  runtime = await startTestRuntime({ dataDir, port: ports[0], edgePort: ports[1] });
  const started = encoderStarted(pidFile);
  assetId = await uploadFile(runtime.endpoints, await operatorToken(runtime), clip);
  await started;
  // Local mode stops mid-transcode: the execution is cut short at Transcode. A crash would also leave a job's work
  // folder behind (a stop removes its own): one is planted, as a killed process leaves it.
  await runtime.close();
  await mkdir(join(dataDir, 'mediaconvert', '1796688904693-orphan', 'rungs'), { recursive: true });
  runtime = await startTestRuntime({ dataDir, port: ports[0], edgePort: ports[1] });
  await runtime.idle();
}, 120_000);

afterAll(async () => {
  await runtime.close();
  delete process.env.FFMPEG_PATH;
  await rm(dataDir, { recursive: true, force: true });
});

describe('a publish cut short by a stop of local mode', () => {
  it('is FAILED at Transcode after the restart, with one dead letter and one video.failed, and no stale work folder', async () => {
    const seen = await observe(runtime);

    expect(seen.status).toBe('FAILED');
    expect(seen.errorState).toBe('Transcode');
    expect(seen.deadLetters).toHaveLength(1);
    expect(seen.deadLetters[0]).toMatchObject({ assetId, failedState: 'Transcode', error: 'Local.RuntimeStopped' });
    expect(seen.failedNotices).toBe(1);
    expect(seen.workFolders).toEqual([]);
  });

  it('is settled once: another restart adds no dead letter and no notification', async () => {
    await runtime.close();
    runtime = await startTestRuntime({ dataDir, port: ports[0], edgePort: ports[1] });
    await runtime.idle();

    const seen = await observe(runtime);
    expect(seen.deadLetters).toHaveLength(1);
    expect(seen.failedNotices).toBe(1);
  });

  it('is continued at Transcode by `redrive --all` and ends READY with one video.published', async () => {
    await rm(holdFlag, { force: true });

    const report = (await runtime.lambda.invoke('redrive', {})) as { redriven?: number } & Record<string, unknown>;
    await runtime.idle();

    expect(JSON.stringify(report)).toContain('redriven');
    const seen = await observe(runtime);
    expect(seen.status).toBe('READY');
    expect(seen.publishedNotices).toBe(1);
    expect(seen.deadLetters).toEqual([]);
    const asset = (await (
      await fetch(`${runtime.endpoints.appUrl}/api/videos/${assetId}`, {
        headers: { authorization: `Bearer ${await operatorToken(runtime)}` },
      })
    ).json()) as AssetView;
    expect(asset.status).toBe('READY');
  }, 120_000);
});
