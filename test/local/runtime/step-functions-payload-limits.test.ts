import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../../../local/step-functions/load-definition';
import { LocalStepFunctions } from '../../../local/step-functions/local-step-functions';
import { MAX_PAYLOAD_BYTES } from '../../../local/step-functions/payload-limits';

/** Step Functions' 256 KiB payload quota (service-quotas.html), on the API and on a task's result. */
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:payloads';
const WORK = 'arn:aws:lambda:us-east-1:000000000000:function:work';
const SUBMIT = 'arn:aws:lambda:us-east-1:000000000000:function:submit';

const DEFINITION: JsonObject = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: WORK,
      ResultPath: '$.work',
      Catch: [{ ErrorEquals: ['States.DataLimitExceeded'], ResultPath: '$.error', Next: 'TooBig' }],
      Next: 'WaitForCallback',
    },
    TooBig: { Type: 'Fail', Error: 'TooBig' },
    WaitForCallback: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: SUBMIT, Payload: { 'token.$': '$$.Task.Token' } },
      ResultPath: '$.callback',
      End: true,
    },
  },
};

/** A string whose JSON encoding (with its quotes) is `bytes` long. */
const jsonStringOf = (bytes: number) => 'x'.repeat(bytes - 2);

async function open(workResult: unknown) {
  let resolveToken: (token: string) => void = () => undefined;
  const token = new Promise<string>((resolve) => {
    resolveToken = resolve;
  });
  const sfn = await LocalStepFunctions.open({
    dataDir: await mkdtemp(join(tmpdir(), 'vodflow-sfn-payload-')),
    stateMachineArn: MACHINE,
    definition: DEFINITION,
    retryIntervalSeconds: 0,
    tasks: {
      invoke: (arn, payload) => {
        if (arn === WORK) return Promise.resolve(workResult);
        resolveToken((payload as { token: string }).token);
        return Promise.resolve({});
      },
      call: () => Promise.reject(new Error('no services in this test')),
    },
  });
  return { sfn, token };
}

describe('Step Functions payload quota (256 KiB)', () => {
  it('refuses a StartExecution input over 256 KiB with ValidationException, and starts one of exactly 256 KiB', async () => {
    const { sfn } = await open('small');

    await expect(
      sfn.handle('StartExecution', {
        stateMachineArn: MACHINE,
        name: 'too-big',
        input: JSON.stringify({ a: jsonStringOf(MAX_PAYLOAD_BYTES - '{"a":}'.length + 1) }),
      }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144",
    });
    const started = await sfn.handle('StartExecution', {
      stateMachineArn: MACHINE,
      name: 'just-fits',
      input: JSON.stringify({ a: jsonStringOf(MAX_PAYLOAD_BYTES - '{"a":}'.length) }),
    });
    expect(started.executionArn).toMatch(/:just-fits$/);
    await sfn.close();
  });

  it('fails a task whose result is over 256 KiB with States.DataLimitExceeded, which a Catch can match', async () => {
    const { sfn } = await open(jsonStringOf(MAX_PAYLOAD_BYTES + 1));

    const { executionArn } = await sfn.handle('StartExecution', { stateMachineArn: MACHINE, name: 'big', input: '{}' });
    await sfn.idle();

    const execution = await sfn.handle('DescribeExecution', { executionArn });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'TooBig' });
    const history = await sfn.handle('GetExecutionHistory', { executionArn });
    expect(JSON.stringify(history)).toContain('States.DataLimitExceeded');
    await sfn.close();
  });

  it('refuses a SendTaskSuccess output over 256 KiB with ValidationException and keeps the task waiting', async () => {
    const { sfn, token } = await open('small');
    const { executionArn } = await sfn.handle('StartExecution', { stateMachineArn: MACHINE, name: 'cb', input: '{}' });
    const taskToken = await token;

    await expect(
      sfn.handle('SendTaskSuccess', { taskToken, output: JSON.stringify(jsonStringOf(MAX_PAYLOAD_BYTES + 1)) }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await sfn.handle('SendTaskSuccess', { taskToken, output: '{"done":true}' });
    await sfn.idle();

    expect(await sfn.handle('DescribeExecution', { executionArn })).toMatchObject({ status: 'SUCCEEDED' });
    await sfn.close();
  });
});
