import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../../../local/step-functions/load-definition';
import { LocalStepFunctions } from '../../../local/step-functions/local-step-functions';
import { ManualScheduler } from '../../support/manual-scheduler';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:test';
const WORK = 'arn:aws:lambda:us-east-1:000000000000:function:work';
const SUBMIT = 'arn:aws:lambda:us-east-1:000000000000:function:submit';

/** Prepare -> Work (a Lambda) -> WaitForCallback (waitForTaskToken with a heartbeat) -> Done. */
const DEFINITION: JsonObject = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.prepared', Next: 'Work' },
    Work: { Type: 'Task', Resource: WORK, ResultPath: '$.work', Next: 'WaitForCallback' },
    WaitForCallback: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: SUBMIT,
        Payload: { 'token.$': '$$.Task.Token', 'redrives.$': '$$.Execution.RedriveCount' },
      },
      HeartbeatSeconds: 1,
      ResultPath: '$.callback',
      End: true,
    },
  },
};

interface World {
  sfn: LocalStepFunctions;
  /** The HeartbeatSeconds clock: it moves only when a test advances it. */
  clock: ManualScheduler;
  tokens: string[];
  workCalls: unknown[];
  failWork: { times: number };
}

async function open(dataDir: string, failWork = { times: 0 }): Promise<World> {
  const world = { tokens: [] as string[], workCalls: [] as unknown[], failWork, clock: new ManualScheduler() } as World;
  world.sfn = await LocalStepFunctions.open({
    dataDir,
    scheduler: world.clock,
    stateMachineArn: MACHINE,
    definition: DEFINITION,
    retryIntervalSeconds: 0,
    tasks: {
      invoke: (arn, payload) => {
        if (arn === WORK) {
          world.workCalls.push(payload);
          if (world.failWork.times > 0) {
            world.failWork.times -= 1;
            const error = new Error('work failed');
            error.name = 'WorkFailed';
            return Promise.reject(error);
          }
          return Promise.resolve('worked');
        }
        world.tokens.push((payload as { token: string }).token);
        return Promise.resolve({});
      },
      call: () => Promise.reject(new Error('no services in this test')),
    },
  });
  return world;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function describe_(world: World, executionArn: string) {
  return world.sfn.handle('DescribeExecution', { executionArn });
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vodflow-sfn-'));
});

describe('local Step Functions', () => {
  it('answers StartExecution idempotently for the same name and input, and refuses a reused name otherwise', async () => {
    const world = await open(dataDir);
    const first = await world.sfn.handle('StartExecution', {
      stateMachineArn: MACHINE,
      name: 'same',
      input: '{"a":1}',
    });
    const again = await world.sfn.handle('StartExecution', {
      stateMachineArn: MACHINE,
      name: 'same',
      input: '{"a":1}',
    });
    expect(again.executionArn).toBe(first.executionArn);
    await expect(
      world.sfn.handle('StartExecution', { stateMachineArn: MACHINE, name: 'same', input: '{"a":2}' }),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await expect(
      world.sfn.handle('StartExecution', { stateMachineArn: MACHINE, name: 'bad name!', input: '{}' }),
    ).rejects.toMatchObject({ name: 'InvalidName' });
    await world.sfn.close();
  });

  it('settles a waiting task with SendTaskSuccess; a used token is TaskTimedOut and an unknown one TaskDoesNotExist', async () => {
    const world = await open(dataDir);
    const { executionArn } = await world.sfn.handle('StartExecution', {
      stateMachineArn: MACHINE,
      name: 'ok',
      input: '{}',
    });
    await until(() => world.tokens.length === 1);
    const token = world.tokens[0] ?? '';
    await world.sfn.handle('SendTaskHeartbeat', { taskToken: token });
    await world.sfn.handle('SendTaskSuccess', { taskToken: token, output: '{"done":true}' });
    await world.sfn.idle();

    const execution = await describe_(world, executionArn as string);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output as string)).toEqual({
      prepared: 'prepared',
      work: 'worked',
      callback: { done: true },
    });
    await expect(world.sfn.handle('SendTaskSuccess', { taskToken: token, output: '{}' })).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    await expect(world.sfn.handle('SendTaskFailure', { taskToken: 'nope' })).rejects.toMatchObject({
      name: 'TaskDoesNotExist',
    });
  });

  it('fails a waiting task with States.HeartbeatTimeout when no heartbeat arrives in time', async () => {
    const world = await open(dataDir);
    const { executionArn } = await world.sfn.handle('StartExecution', {
      stateMachineArn: MACHINE,
      name: 'hb',
      input: '{}',
    });
    await until(() => world.tokens.length === 1);
    await world.clock.advance(999);
    expect((await describe_(world, executionArn as string)).status).toBe('RUNNING');
    await world.clock.advance(1);
    await world.sfn.idle();
    const execution = await describe_(world, executionArn as string);
    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'States.HeartbeatTimeout',
      redriveStatus: 'REDRIVABLE',
    });
  });

  it('redrives a failed execution after a restart at the failed state, with RedriveCount 1, once per client token', async () => {
    const before = await open(dataDir, { times: 10 });
    const { executionArn } = await before.sfn.handle('StartExecution', {
      stateMachineArn: MACHINE,
      name: 'rd',
      input: '{"n":1}',
    });
    await before.sfn.idle();
    expect(await describe_(before, executionArn as string)).toMatchObject({ status: 'FAILED', error: 'WorkFailed' });
    await before.sfn.close();

    const after = await open(dataDir, { times: 0 });
    const redriven = await after.sfn.handle('RedriveExecution', { executionArn, clientToken: 't1' });
    const repeated = await after.sfn.handle('RedriveExecution', { executionArn, clientToken: 't1' });
    expect(repeated.redriveDate).toEqual(redriven.redriveDate);
    await until(() => after.tokens.length === 1);
    await after.sfn.handle('SendTaskSuccess', { taskToken: after.tokens[0], output: '{}' });
    await after.sfn.idle();

    expect(after.workCalls).toEqual([{ n: 1, prepared: 'prepared' }]);
    expect(await describe_(after, executionArn as string)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    const { events } = await after.sfn.handle('GetExecutionHistory', { executionArn });
    const types = (events as { type: string; stateEnteredEventDetails?: { name: string } }[]).map((event) =>
      event.stateEnteredEventDetails ? `${event.type}:${event.stateEnteredEventDetails.name}` : event.type,
    );
    const afterRedrive = types.slice(types.indexOf('ExecutionRedriven'));
    expect(afterRedrive).toContain('TaskStateEntered:Work');
    expect(afterRedrive).not.toContain('PassStateEntered:Prepare');
    await expect(after.sfn.handle('RedriveExecution', { executionArn, clientToken: 't2' })).rejects.toMatchObject({
      name: 'ExecutionNotRedrivable',
    });
  });

  it('records a run cut short by a stop as FAILED at the state it was in, redrivable from there', async () => {
    const before = await open(dataDir);
    const { executionArn } = await before.sfn.handle('StartExecution', {
      stateMachineArn: MACHINE,
      name: 'cut',
      input: '{}',
    });
    await until(() => before.tokens.length === 1);
    await before.sfn.close();

    const after = await open(dataDir);
    expect(await describe_(after, executionArn as string)).toMatchObject({
      status: 'FAILED',
      error: 'Local.RuntimeStopped',
      redriveStatus: 'REDRIVABLE',
    });
    await after.sfn.handle('RedriveExecution', { executionArn });
    await until(() => after.tokens.length === 1);
    await after.sfn.handle('SendTaskSuccess', { taskToken: after.tokens[0], output: '{}' });
    await after.sfn.idle();
    expect(after.workCalls).toEqual([]);
    expect(await describe_(after, executionArn as string)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
  });
});
