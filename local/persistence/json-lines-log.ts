import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setAsideCorruptFile } from './set-aside';

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
    const damaged: number[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        records.push(JSON.parse(line));
      } catch {
        // An unterminated last line is torn (a crash mid-append) and cut before the next append; any other
        // unreadable line is damage: the log is set aside and rewritten with its intact records.
        if (index !== lines.length - 1) damaged.push(index + 1);
      }
    });
    if (damaged.length > 0) {
      setAsideCorruptFile(this.path, `lines ${damaged.join(', ')} are not valid JSON`, { recovered: records.length });
      const temporary = `${this.path}.${String(process.pid)}.tmp`;
      writeFileSync(temporary, records.map((record) => `${JSON.stringify(record)}\n`).join(''), 'utf8');
      renameSync(temporary, this.path);
      this.tornFrom = undefined;
    }
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
