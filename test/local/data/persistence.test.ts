import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicJsonFile } from '../../../local/persistence/atomic-json-file';
import { JsonLinesLog } from '../../../local/persistence/json-lines-log';
import { temporaryDataDir } from './local-data-wiring';

describe('local state files', () => {
  let dataDir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dataDir, cleanup } = temporaryDataDir()));
  afterEach(() => {
    cleanup();
  });

  it('saves coalesced writes atomically, ending with the latest state', async () => {
    const path = join(dataDir, 'service', 'state.json');
    const file = new AtomicJsonFile(path);
    let state = 0;

    const saves: Promise<void>[] = [];
    for (let change = 1; change <= 20; change += 1) {
      state = change;
      saves.push(file.save(() => ({ state })));
    }
    await Promise.all(saves);

    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ state: 20 });
    expect(readdirSync(join(dataDir, 'service'))).toEqual(['state.json']);
    expect(new AtomicJsonFile(path).read()).toEqual({ state: 20 });
  });

  it('reads nothing before the first save and refuses a corrupt file clearly', () => {
    const path = join(dataDir, 'state.json');
    expect(new AtomicJsonFile(path).read()).toBeUndefined();

    writeFileSync(path, '{"half":');
    expect(() => new AtomicJsonFile(path).read()).toThrow(`state file ${path} is not valid JSON`);
  });

  it('appends JSON lines, skipping a torn last line and starting the next record on its own line', async () => {
    const path = join(dataDir, 'topic.jsonl');
    const log = new JsonLinesLog(path);
    log.prepare();
    await log.append({ n: 1 });
    appendFileSync(path, '{"n":2,"cut');

    const reopened = new JsonLinesLog(path);
    expect(reopened.readAll()).toEqual([{ n: 1 }]);
    await reopened.append({ n: 3 });

    expect(new JsonLinesLog(path).readAll()).toEqual([{ n: 1 }, { n: 3 }]);
    expect(existsSync(path)).toBe(true);
  });

  it('refuses a log corrupt before its last line', () => {
    const path = join(dataDir, 'topic.jsonl');
    writeFileSync(path, 'not json\n{"n":1}\n');

    expect(() => new JsonLinesLog(path).readAll()).toThrow('line 1 is not valid JSON');
  });
});
