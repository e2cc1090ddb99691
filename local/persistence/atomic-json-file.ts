import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

let temporaryCounter = 0;

/** Reads a JSON state file written by AtomicJsonFile; undefined when it does not exist yet (first start). */
export function readJsonFile(path: string): unknown {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`state file ${path} is not valid JSON (${reason}); move it away to start empty`);
  }
}

/**
 * One JSON document on disk, replaced atomically (write a temporary file, then rename), so a crash leaves either the
 * old or the new state, never half of one. Saves are serialised and coalesced: a save asked for while another is
 * writing is done once that write ends, with the state as it is then, so the file always ends with the latest state
 * and every caller's promise resolves only once its change is on disk.
 */
export class AtomicJsonFile {
  private tail: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(readonly path: string) {}

  read(): unknown {
    return readJsonFile(this.path);
  }

  /** Ensures the folder exists now, so a bad data folder fails at start rather than on the first write. */
  prepare(): void {
    mkdirSync(dirname(this.path), { recursive: true });
  }

  save(snapshot: () => unknown): Promise<void> {
    if (this.queued) return this.queued;
    const write = this.tail.then(async () => {
      // From here on, later changes need a new write: this one has already taken its snapshot.
      this.queued = undefined;
      await this.writeNow(JSON.stringify(snapshot()));
    });
    this.queued = write;
    this.tail = write.catch(() => undefined);
    return write;
  }

  private async writeNow(text: string): Promise<void> {
    temporaryCounter += 1;
    const temporary = `${this.path}.${String(process.pid)}.${String(temporaryCounter)}.tmp`;
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, this.path);
  }
}
