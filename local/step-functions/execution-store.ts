import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionRecord } from './execution-record';

/**
 * Executions persisted one JSON file each, written atomically (temp file + rename) and in order per execution, so a
 * crash leaves either the previous or the next version, never half a file.
 */
export class ExecutionStore {
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  async load(): Promise<ExecutionRecord[]> {
    await mkdir(this.dir, { recursive: true });
    const files = (await readdir(this.dir)).filter((file) => file.endsWith('.json'));
    return Promise.all(
      files.map(async (file) => JSON.parse(await readFile(join(this.dir, file), 'utf8')) as ExecutionRecord),
    );
  }

  save(record: ExecutionRecord): Promise<void> {
    const snapshot = JSON.stringify(record);
    const file = join(this.dir, `${record.name}.json`);
    const previous = this.writes.get(record.name) ?? Promise.resolve();
    const next = previous.then(async () => {
      await mkdir(this.dir, { recursive: true });
      const temp = `${file}.${String(process.pid)}.tmp`;
      await writeFile(temp, snapshot);
      await rename(temp, file);
    });
    this.writes.set(record.name, next);
    return next;
  }

  /** Resolves when every write issued so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all(this.writes.values());
  }
}
