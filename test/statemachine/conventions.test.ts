import { readRawDefinition } from '../support/publish-video-definition';

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
  IntervalSeconds?: number;
  BackoffRate?: number;
  JitterStrategy?: string;
  MaxDelaySeconds?: number;
}
interface State {
  Type: string;
  Resource?: unknown;
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
}

const states = readRawDefinition().States as unknown as Record<string, State>;
const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task');
/** States whose own failure must end the execution where Redrive can resume it, rather than loop into themselves. */
const FAILURE_AND_REJECTION_PATHS = [
  'RecordFailure',
  'SendToDeadLetterQueue',
  'NotifyFailure',
  'RecordRejection',
  'NotifyRejection',
];
const LAMBDA_SERVICE_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];

describe('publish-video ASL conventions', () => {
  it.each(tasks)('%s has a timeout', (_name, state) => {
    expect(state.TimeoutSeconds).toBeGreaterThan(0);
  });

  it.each(tasks)('%s retries transient errors with capped exponential backoff and full jitter', (_name, state) => {
    const retrying = (state.Retry ?? []).filter((retrier) => (retrier.MaxAttempts ?? 3) > 0);
    expect(retrying.length).toBeGreaterThan(0);
    for (const retrier of retrying) {
      expect(retrier).toMatchObject({ JitterStrategy: 'FULL', MaxDelaySeconds: expect.any(Number) });
      expect(retrier.BackoffRate).toBeGreaterThan(1);
      expect(retrier.ErrorEquals).not.toContain('States.ALL');
    }
  });

  it.each(tasks.filter(([, state]) => typeof state.Resource !== 'string' || state.Resource.includes(':lambda:')))(
    '%s (a Lambda task) retries the Lambda service errors',
    (_name, state) => {
      const retried = (state.Retry ?? []).filter((r) => (r.MaxAttempts ?? 3) > 0).flatMap((r) => r.ErrorEquals);
      expect(retried).toEqual(expect.arrayContaining(LAMBDA_SERVICE_ERRORS));
    },
  );

  it.each(tasks.filter(([name]) => !FAILURE_AND_REJECTION_PATHS.includes(name)))(
    '%s catches every error into the failure path',
    (name, state) => {
      const catchAll = state.Catch?.find((handler) => handler.ErrorEquals.includes('States.ALL'));
      expect(catchAll?.Next).toBe(`${name}Failed`);
      expect(states[`${name}Failed`]?.Type).toBe('Pass');
    },
  );

  it('leaves the failure and rejection paths without Catch: their own failure ends the execution, redrivable', () => {
    for (const name of FAILURE_AND_REJECTION_PATHS) {
      expect(states[name]?.Type).toBe('Task');
      expect(states[name]?.Catch).toBeUndefined();
    }
  });

  it.each(tasks)('%s uses only the Retrier and Catcher fields of the ASL specification', (_name, state) => {
    // asl-validator accepts extra fields (a Comment on a retrier); Step Functions may not.
    const retrierFields = [
      'ErrorEquals',
      'IntervalSeconds',
      'MaxAttempts',
      'BackoffRate',
      'MaxDelaySeconds',
      'JitterStrategy',
    ];
    const catcherFields = ['ErrorEquals', 'Next', 'ResultPath'];
    for (const retrier of state.Retry ?? [])
      expect(Object.keys(retrier).filter((k) => !retrierFields.includes(k))).toEqual([]);
    for (const catcher of state.Catch ?? [])
      expect(Object.keys(catcher).filter((k) => !catcherFields.includes(k))).toEqual([]);
  });

  it('waits on the transcode with a heartbeat shorter than its hard timeout', () => {
    const transcode = states.Transcode;
    expect(transcode?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(transcode?.HeartbeatSeconds).toBeGreaterThan(60);
    expect(transcode?.HeartbeatSeconds).toBeLessThan(transcode?.TimeoutSeconds ?? 0);
  });

  it('routes every step that can fail back from AwaitRedrive', () => {
    const failedSteps = Object.keys(states)
      .filter((name) => name.endsWith('Failed') && states[name]?.Type === 'Pass')
      .map((name) => name.replace(/Failed$/, ''));
    const routes = JSON.stringify(states.AwaitRedrive);
    for (const step of failedSteps) expect(routes).toContain(`"StringEquals":"${step}"`);
    expect((states.AwaitRedrive as unknown as { Default?: string }).Default).toBeUndefined();
  });
});
