import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../../local/runtime/project-root';

const run = promisify(execFile);
const PROCESSES = 4;

/** Parallel CLI runs each bundle and load the CLI: none may load a bundle another is still writing. */
describe('concurrent vodflow commands', () => {
  let dataDirs: string[];

  beforeAll(async () => {
    dataDirs = await Promise.all(Array.from({ length: PROCESSES }, () => mkdtemp(join(tmpdir(), 'vodflow-cli-'))));
  });

  afterAll(async () => {
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it(`runs ${String(PROCESSES)} \`vodflow status\` at once, every one succeeding`, async () => {
    const outcomes = await Promise.allSettled(
      dataDirs.map((dataDir) =>
        run(process.execPath, [join(PROJECT_ROOT, 'bin', 'vodflow.mjs'), 'status', '--data', dataDir, '--port', '0'], {
          env: { ...process.env, LOG_LEVEL: 'error' },
          timeout: 120_000,
        }),
      ),
    );

    const failures = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [String((outcome.reason as { stderr?: string }).stderr ?? outcome.reason)] : [],
    );
    expect(failures).toEqual([]);
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') expect(outcome.value.stdout).toContain('executions');
    }
  }, 180_000);
});
