import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { salvageRecordLines, stringifyRecordPerLine } from './record-lines';
import { reasonOf, setAsideCorruptFile } from './set-aside';

let temporaryCounter = 0;

export interface AtomicJsonFileOptions {
  /**
   * Rebuilds the state from the records still readable in a damaged file (one a line, as saved); without it a
   * damaged file means starting empty.
   */
  recover?: (records: Record<string, unknown>[]) => unknown;
}

/**
 * Reads a JSON state file written by AtomicJsonFile; undefined when it does not exist yet (first start). A file
 * that is not valid JSON is set aside (`<file>.corrupt-<n>`, named in a warning) and what `recover` rebuilds from
 * its intact records is returned instead, so one damaged file never stops local mode.
 */
export function readJsonFile(path: string, options: AtomicJsonFileOptions = {}): unknown {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const records = options.recover ? salvageRecordLines(text) : [];
    setAsideCorruptFile(path, reasonOf(error), options.recover ? { recovered: records.length } : {});
    return options.recover?.(records);
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

  constructor(
    readonly path: string,
    private readonly options: AtomicJsonFileOptions = {},
  ) {}

  read(): unknown {
    return readJsonFile(this.path, this.options);
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
      await this.writeNow(stringifyRecordPerLine(snapshot()));
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
