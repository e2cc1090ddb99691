import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reasonOf, setAsideCorruptFile } from '../persistence/set-aside';
import type { ExecutionRecord } from './execution-record';

function isExecutionRecord(value: unknown): value is ExecutionRecord {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Partial<Record<keyof ExecutionRecord, unknown>>;
  return (
    typeof record.executionArn === 'string' && typeof record.name === 'string' && typeof record.status === 'string'
  );
}

/**
 * Executions persisted one JSON file each, written atomically (temp file + rename) and in order per execution, so a
 * crash leaves either the previous or the next version, never half a file.
 */
export class ExecutionStore {
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  async load(): Promise<ExecutionRecord[]> {
    await mkdir(this.dir, { recursive: true });
    const files = (await readdir(this.dir)).filter((file) => file.endsWith('.json')).sort();
    const records: ExecutionRecord[] = [];
    for (const file of files) {
      const path = join(this.dir, file);
      try {
        const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
        if (!isExecutionRecord(parsed)) throw new Error('not an execution record');
        records.push(parsed);
      } catch (error) {
        // One damaged execution (a crash mid-write on a full disk) must not stop the others from loading.
        setAsideCorruptFile(path, reasonOf(error));
      }
    }
    return records;
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
