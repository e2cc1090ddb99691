import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../../../functions/commons/logger';
import { AtomicJsonFile } from '../../../local/persistence/atomic-json-file';
import { JsonLinesLog } from '../../../local/persistence/json-lines-log';
import { LOCAL_STACK } from '../../../local/runtime/local-stack';
import { QueueStore } from '../../../local/services/sqs/queue-store';
import { realSqsClock } from '../../../local/services/sqs/sqs-clock';
import { TableStore } from '../../../local/services/dynamodb/table-store';
import { ExecutionStore } from '../../../local/step-functions/execution-store';
import { startTestRuntime } from '../../support/local-mode';
import { temporaryDataDir } from './local-data-wiring';

/** The warnings the structured logger was given while `run` ran, as message plus data. */
async function warningsDuring(run: () => unknown): Promise<Record<string, unknown>[]> {
  const spy = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  try {
    await run();
    return spy.mock.calls.map(([message, data]) => ({ message, ...data }));
  } finally {
    spy.mockRestore();
  }
}

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

  it('reads nothing before the first save, and sets a corrupt file aside, named in a warning', async () => {
    const path = join(dataDir, 'state.json');
    expect(new AtomicJsonFile(path).read()).toBeUndefined();
    writeFileSync(path, '{"half":');
    writeFileSync(`${path}.corrupt-1`, 'an earlier one');

    let read: unknown = 'not read';
    const warnings = await warningsDuring(() => (read = new AtomicJsonFile(path).read()));

    expect(read).toBeUndefined();
    expect(readFileSync(`${path}.corrupt-2`, 'utf8')).toBe('{"half":');
    expect(existsSync(path)).toBe(false);
    expect(warnings).toEqual([
      expect.objectContaining({ message: 'corrupt state file set aside', file: path, setAsideAs: `${path}.corrupt-2` }),
    ]);
  });

  it('keeps every intact record of a catalogue whose file was cut short', async () => {
    const table = { name: 'catalogue', partitionKey: 'assetId' };
    const store = new TableStore(table, dataDir);
    for (let n = 1; n <= 5; n += 1) store.put({ assetId: { S: `a${String(n)}` }, title: { S: `t${String(n)}` } });
    await store.save();
    const path = join(dataDir, 'dynamodb', 'catalogue.json');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.indexOf('"a4"') + 6));

    let reopened: TableStore | undefined;
    const warnings = await warningsDuring(() => (reopened = new TableStore(table, dataDir)));

    expect(reopened?.readable(reopened.view(undefined)).map((item) => item.assetId)).toEqual([
      { S: 'a1' },
      { S: 'a2' },
      { S: 'a3' },
    ]);
    expect(warnings[0]).toMatchObject({ file: path, setAsideAs: `${path}.corrupt-1`, recovered: 3 });
  });

  it('keeps every intact message of a dead-letter queue whose file was cut short', async () => {
    const definition = { name: 'dead-letters', url: 'http://local/q', arn: 'arn:aws:sqs:us-east-1:000000000000:q' };
    const queue = new QueueStore(definition, dataDir, realSqsClock);
    for (let n = 1; n <= 3; n += 1) {
      queue.messages.push({
        messageId: `m${String(n)}`,
        body: `{"n":${String(n)}}`,
        md5OfBody: '',
        attributes: {},
        sentTimestamp: 0,
        visibleAt: 0,
        receiveCount: 0,
      });
    }
    await queue.save();
    const path = join(dataDir, 'sqs', 'dead-letters.json');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.indexOf('"m3"') + 10));

    let reopened: QueueStore | undefined;
    await warningsDuring(() => (reopened = new QueueStore(definition, dataDir, realSqsClock)));

    expect(reopened?.messages.map((message) => message.messageId)).toEqual(['m1', 'm2']);
  });

  it('sets aside a truncated execution record and loads the others', async () => {
    const dir = join(dataDir, 'stepfunctions');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'good.json'),
      JSON.stringify({ executionArn: 'arn:good', name: 'good', status: 'SUCCEEDED' }),
    );
    writeFileSync(join(dir, 'cut.json'), '{"executionArn":"arn:cut","name":"cut","input":"{\\"assetId');

    let loaded: { name: string }[] = [];
    const warnings = await warningsDuring(async () => (loaded = await new ExecutionStore(dir).load()));

    expect(loaded.map((record) => record.name)).toEqual(['good']);
    expect(existsSync(join(dir, 'cut.json.corrupt-1'))).toBe(true);
    expect(warnings[0]).toMatchObject({ file: join(dir, 'cut.json'), setAsideAs: join(dir, 'cut.json.corrupt-1') });
  });

  it('starts local mode over a corrupt execution record and a corrupt queue', async () => {
    mkdirSync(join(dataDir, 'stepfunctions'), { recursive: true });
    mkdirSync(join(dataDir, 'sqs'), { recursive: true });
    writeFileSync(join(dataDir, 'stepfunctions', 'x.json'), '{"executionArn":"arn:x","na');
    writeFileSync(join(dataDir, 'sqs', `${LOCAL_STACK.deadLetterQueue}.json`), '{"messages":[{"Bo');

    const runtime = await startTestRuntime({ dataDir });
    try {
      expect((await fetch(`${runtime.endpoints.appUrl}/local/executions`)).status).toBe(200);
    } finally {
      await runtime.close();
    }
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

  it('sets aside a log corrupt before its last line and keeps its intact records', async () => {
    const path = join(dataDir, 'topic.jsonl');
    writeFileSync(path, 'not json\n{"n":1}\n');

    let records: unknown[] = [];
    const warnings = await warningsDuring(() => (records = new JsonLinesLog(path).readAll()));

    expect(records).toEqual([{ n: 1 }]);
    expect(readFileSync(`${path}.corrupt-1`, 'utf8')).toBe('not json\n{"n":1}\n');
    expect(new JsonLinesLog(path).readAll()).toEqual([{ n: 1 }]);
    expect(warnings[0]).toMatchObject({ file: path, setAsideAs: `${path}.corrupt-1` });
  });
});
