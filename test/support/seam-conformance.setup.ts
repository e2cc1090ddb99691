import { observeSeamAnswers } from '../../local/seam/local-seam';
import { AnswerRecorder } from './aws-model-conformance';

/**
 * Jest setup of the tests that run local mode end to end: every call through the seam during a test file is
 * recorded, and the file fails if any answer does not have the shape AWS's API model gives the operation's output,
 * if any error is one the operation cannot answer, or if any request lacks or carries what the operation's input
 * shape does not allow (see aws-model-conformance.ts).
 */
const recorder = new AnswerRecorder();
let stopObserving: () => void = () => undefined;

beforeAll(() => {
  stopObserving = observeSeamAnswers(recorder.record);
});

afterAll(() => {
  stopObserving();
  expect([...recorder.problems(), ...recorder.requestProblems()]).toEqual([]);
});
