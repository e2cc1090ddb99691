import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateClip } from '../../local/cli/sample-clip';
import type { LocalRuntime } from '../../local/runtime/local-runtime';
import { PROJECT_ROOT } from '../../local/runtime/project-root';
import { startChildServer } from '../support/child-server';
import { startTestRuntime } from '../support/local-mode';
import { outcomeOf, type PublishOutcome } from '../support/publish-outcome';
import { stablePorts } from '../support/stable-ports';

const run = promisify(execFile);

/**
 * Five `vodflow publish` processes at once against one running `vodflow serve`, as five terminals would: every one
 * exits 0 having published its own asset, once.
 */
const PUBLISHERS = 5;
const CLIP = { durationSeconds: 2, width: 320, height: 180 };

let dataDir: string;
let runtime: LocalRuntime | undefined;
let runs: { code: number; stdout: string; stderr: string }[];
let outcomes: PublishOutcome[];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-cli-concurrent-'));
  const clip = await generateClip(join(dataDir, 'clip.mp4'), CLIP);
  const [port = 0, edgePort = 0] = await stablePorts(2);
  const server = await startChildServer(dataDir, { port, edgePort }, {});
  runs = await Promise.all(
    Array.from({ length: PUBLISHERS }, () =>
      run(process.execPath, [join(PROJECT_ROOT, 'bin', 'vodflow.mjs'), 'publish', clip, '--data', dataDir], {
        env: { ...process.env, LOG_LEVEL: 'error' },
        timeout: 120_000,
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: unknown) => {
          const failed = error as { code?: number; stdout?: string; stderr?: string };
          return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
        },
      ),
    ),
  );
  // Stopped as Ctrl+C stops it, then opened in this process to read what a subscriber and an operator would see.
  server.process.kill('SIGTERM');
  await server.exited;
  runtime = await startTestRuntime({ dataDir, port, edgePort });
  const assetIds = runs.flatMap((result) => /^asset (\S+)$/m.exec(result.stdout)?.[1] ?? []);
  outcomes = await Promise.all(assetIds.map((assetId) => outcomeOf(runtime as LocalRuntime, assetId)));
}, 240_000);

afterAll(async () => {
  await runtime?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe(`${String(PUBLISHERS)} concurrent \`vodflow publish\` runs against one server`, () => {
  it('all exit 0', () => {
    expect(runs.map((result) => (result.code === 0 ? 0 : `${String(result.code)}: ${result.stderr}`))).toEqual(
      Array.from({ length: PUBLISHERS }, () => 0),
    );
  });

  it('publish five distinct assets, every one READY and announced once', () => {
    expect(new Set(outcomes.map((outcome) => outcome.assetId)).size).toBe(PUBLISHERS);
    expect(outcomes.map((outcome) => [outcome.status, outcome.notifications])).toEqual(
      Array.from({ length: PUBLISHERS }, () => ['READY', ['video.published']]),
    );
    expect(outcomes.map((outcome) => outcome.executions.length)).toEqual(Array.from({ length: PUBLISHERS }, () => 1));
    expect(outcomes.flatMap((outcome) => outcome.deadLetters)).toEqual([]);
  });
});
