import { errorEqualsOf, functionErrors, possibleErrorNames, taskStates } from './possible-error-names';
import path from 'node:path';

/**
 * A Retry or Catch on a name that can never reach its state silently does nothing (CloudFront's throttle arrives as
 * CloudFront.TooManyInvalidationsInProgressException, never as CloudFront.TooManyInvalidationsInProgress). Every
 * ErrorEquals of the ASL must name an error that can occur at that state.
 */
describe('ErrorEquals names errors that can reach their state', () => {
  const tasks = Object.entries(taskStates());

  it.each(tasks)('%s matches only names its resource can fail with', (_name, state) => {
    const { possible } = possibleErrorNames(state);

    const impossible = errorEqualsOf(state).filter((error) => !possible.has(error));

    expect(impossible).toEqual([]);
  });

  it('knows the spelling of each integration kind', () => {
    const states = taskStates();
    const invalidate = possibleErrorNames(states.InvalidateCache ?? {});
    const markPublished = possibleErrorNames(states.MarkPublished ?? {});
    const deadLetter = possibleErrorNames(states.SendToDeadLetterQueue ?? {});

    // aws-sdk: Exception always appended.
    expect(invalidate.kind).toBe('aws-sdk');
    expect(invalidate.possible).toContain('CloudFront.TooManyInvalidationsInProgressException');
    expect(invalidate.possible).not.toContain('CloudFront.TooManyInvalidationsInProgress');
    expect(invalidate.possible).toContain('CloudFront.CloudFrontException');
    // Optimized: modelled shapes with Exception, the unmodelled rest as Amazon<Service>Exception.
    expect(markPublished.kind).toBe('optimized');
    expect(markPublished.possible).toContain('DynamoDB.ConditionalCheckFailedException');
    expect(markPublished.possible).toContain('DynamoDB.RequestLimitExceededException');
    expect(markPublished.possible).not.toContain('DynamoDB.RequestLimitExceeded');
    expect(markPublished.possible).toContain('DynamoDB.AmazonDynamoDBException');
    expect(deadLetter.possible).toContain('SQS.KmsThrottledException');
    expect(deadLetter.possible).not.toContain('SQS.KmsThrottled');
    expect(deadLetter.possible).not.toContain('SQS.ThrottlingException');
  });

  it('derives what a Lambda task can fail with from the function source', () => {
    const states = taskStates();
    const transcode = possibleErrorNames(states.Transcode ?? {});
    const probe = possibleErrorNames(states.ProbeSource ?? {});

    // SubmitTranscode's own named errors, the errors of the calls it makes, and the callbacks' SendTaskFailure names.
    expect(transcode.possible).toContain('InvalidJobRequest');
    expect(transcode.possible).toContain('ProvisionedThroughputExceededException');
    expect(transcode.possible).toContain('TooManyRequestsException');
    expect(transcode.possible).toContain('MediaConvertJobFailed');
    expect(transcode.possible).toContain('States.HeartbeatTimeout');
    // ProbeSource calls MediaConvert Probe only: MediaPackage's ServiceUnavailableException cannot come from it.
    expect(probe.possible).toContain('SourceRejected');
    expect(probe.possible).not.toContain('ServiceUnavailableException');
    expect(probe.possible).not.toContain('States.HeartbeatTimeout');
  });

  it('reads the SDK commands a function sends through every module it imports', () => {
    const handler = path.resolve(__dirname, '..', '..', 'functions', 'submit-transcode', 'handler.ts');

    const { operations, named } = functionErrors(handler);

    expect(operations).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'mediaconvert:CreateJob']);
    expect(named).toEqual(expect.arrayContaining(['InvalidJobRequest', 'InvalidJobTemplate', 'MissingConfiguration']));
  });

  it('fails on a name that cannot occur', () => {
    const state = {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:cloudfront:createInvalidation',
      Retry: [{ ErrorEquals: ['CloudFront.TooManyInvalidationsInProgress', 'States.Timeout'] }],
    };

    const { possible } = possibleErrorNames(state);

    expect(errorEqualsOf(state).filter((error) => !possible.has(error))).toEqual([
      'CloudFront.TooManyInvalidationsInProgress',
    ]);
  });
});
