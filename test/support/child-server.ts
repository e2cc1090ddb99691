import { spawn, type ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionRecord } from '../../local/step-functions/execution-record';
import { PROJECT_ROOT } from '../../local/runtime/project-root';

export interface ChildServer {
  process: ChildProcess;
  /** Resolves with the exit signal or code once the server process has ended. */
  exited: Promise<NodeJS.Signals | number | null>;
}

/**
 * `vodflow serve` in a child process of its own process group (so a crash can take the server and every tool it
 * runs at once); resolves when the server says it is up.
 */
export async function startChildServer(
  dataDir: string,
  ports: { port: number; edgePort: number },
  env: NodeJS.ProcessEnv,
): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin', 'vodflow.mjs'),
      'serve',
      '--no-sample',
      '--data',
      dataDir,
      '--port',
      String(ports.port),
      '--edge-port',
      String(ports.edgePort),
    ],
    { env: { ...process.env, LOG_LEVEL: 'error', ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(signal ?? code);
    });
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('vodflow local mode')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((status) => {
      reject(new Error(`vodflow serve ended (${String(status)}) before it was up:\n${output}`));
    });
  });
  return { process: child, exited };
}

/** SIGKILL to the server's whole process group: the machine losing power, as far as local mode can tell. */
export async function crash(server: ChildServer): Promise<void> {
  if (server.process.pid === undefined) throw new Error('the server has no process id');
  process.kill(-server.process.pid, 'SIGKILL');
  await server.exited;
}

async function readExecutions(folder: string): Promise<ExecutionRecord[]> {
  const names = (await readdir(folder)).filter((name) => name.endsWith('.json'));
  const records = await Promise.all(
    names.map((name) =>
      readFile(join(folder, name), 'utf8')
        .then((text) => JSON.parse(text) as ExecutionRecord)
        // A record being rewritten at this instant is read again on the next change.
        .catch(() => undefined),
    ),
  );
  return records.filter((record): record is ExecutionRecord => record !== undefined);
}

/**
 * Resolves with the first persisted execution record (in `<dataDir>/stepfunctions/`) that `condition` accepts,
 * re-reading on every change to the folder: no polling.
 */
export async function persistedExecution(
  dataDir: string,
  condition: (record: ExecutionRecord) => boolean,
): Promise<ExecutionRecord> {
  const folder = join(dataDir, 'stepfunctions');
  await mkdir(folder, { recursive: true });
  return new Promise((resolve, reject) => {
    let done = false;
    const check = () => {
      void readExecutions(folder).then((records) => {
        const found = records.find(condition);
        if (found && !done) {
          done = true;
          watcher.close();
          resolve(found);
        }
      }, reject);
    };
    const watcher = watch(folder, check);
    check();
  });
}
