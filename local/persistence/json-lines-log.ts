import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { appendFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * An append-only log of JSON records, one a line. Appends are serialised so lines never interleave; a last line cut
 * short by a crash is skipped on load (and cut off before the next append) instead of making the log unreadable.
 */
export class JsonLinesLog {
  private tail: Promise<void> = Promise.resolve();
  /** Set when the log ends in a torn line: its bytes from here on are cut before the next append. */
  private tornFrom: number | undefined;

  constructor(readonly path: string) {}

  readAll(): unknown[] {
    if (!existsSync(this.path)) return [];
    const text = readFileSync(this.path, 'utf8');
    const lines = text.split('\n');
    const complete = text.lastIndexOf('\n') + 1;
    this.tornFrom = complete < text.length ? Buffer.byteLength(text.slice(0, complete), 'utf8') : undefined;
    const records: unknown[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        records.push(JSON.parse(line));
      } catch (error) {
        // Only an unterminated last line may be torn (a crash mid-append); anything else is a corrupt log.
        if (index !== lines.length - 1) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`log ${this.path} line ${String(index + 1)} is not valid JSON (${reason})`);
        }
      }
    });
    return records;
  }

  prepare(): void {
    mkdirSync(dirname(this.path), { recursive: true });
  }

  append(record: unknown): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const tornFrom = this.tornFrom;
    this.tornFrom = undefined;
    const write = this.tail.then(async () => {
      if (tornFrom !== undefined) await truncate(this.path, tornFrom);
      await appendFile(this.path, line, 'utf8');
    });
    this.tail = write.catch(() => undefined);
    return write;
  }
}
