import { observeSeamAnswers } from '../../../local/seam/local-seam';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { AnswerRecorder } from '../../support/aws-model-conformance';
import { operatorToken, publishClip, requestPlayback, startTestRuntime } from '../../support/local-mode';

/**
 * A whole publish in local mode, with every answer the local services give through the seam (to the functions'
 * SDK clients and to the state machine's service integrations) recorded and checked against AWS's API models: an
 * output has the operation's output shape, an error is one the operation declares or one common to the service.
 */
const recorder = new AnswerRecorder();
let runtime: LocalRuntime;
let status: string;
let stopObserving: () => void = () => undefined;

beforeAll(async () => {
  stopObserving = observeSeamAnswers(recorder.record);
  runtime = await startTestRuntime();
  const asset = await publishClip(runtime, { durationSeconds: 4, width: 640, height: 360 });
  status = asset.status;
  await runtime.idle();
  await requestPlayback(runtime, asset.assetId, await operatorToken(runtime));
}, 180_000);

afterAll(async () => {
  stopObserving();
  await runtime.close();
});

describe('answers of the local services during a publish', () => {
  it('publishes, and the seam saw the calls of every stage of the workflow', () => {
    expect(status).toBe('READY');
    expect(recorder.summary()).toEqual(
      expect.arrayContaining([
        'CloudFront.CreateInvalidation',
        'DynamoDB.UpdateItem',
        'MediaConvert.CreateJob',
        'MediaPackageVod.CreateAsset',
        'SNS.Publish',
        'SecretsManager.GetSecretValue',
      ]),
    );
  });

  it('each has the shape of the operation in AWS API model, and each error is one the operation can answer', () => {
    expect(recorder.problems()).toEqual([]);
  });

  it('and every request the functions and the state machine sent has the shape of the operation input', () => {
    expect(recorder.requestProblems()).toEqual([]);
  });
});
