import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalServiceError } from '../../local/seam/local-service';
import { LocalDynamoDb } from '../../local/services/dynamodb/local-dynamodb';
import { integrationFailure, integrationOf } from '../../local/step-functions/integration-error-names';
import { runTask, type TaskDependencies } from '../../local/step-functions/run-task';
import { TaskTokens } from '../../local/step-functions/task-tokens';
import { operationErrors, possibleErrorNames, taskStates } from './possible-error-names';

/** Local Step Functions fails a Task with the name Step Functions gives the service's error for that integration. */
function failingDeps(error: Error): TaskDependencies {
  return {
    invoke: () => Promise.reject(new Error('no functions here')),
    call: () => Promise.reject(error),
  };
}

function context(resource: string): Parameters<typeof runTask>[0] {
  return {
    executionArn: 'arn:local',
    state: { Type: 'Task', Resource: resource },
    tokens: new TaskTokens(),
    placeholder: '',
  };
}

describe('local Step Functions names integration errors as Step Functions does', () => {
  it.each([
    [
      'arn:aws:states:::aws-sdk:cloudfront:createInvalidation',
      'TooManyInvalidationsInProgress',
      'CloudFront.TooManyInvalidationsInProgressException',
    ],
    ['arn:aws:states:::aws-sdk:cloudfront:createInvalidation', 'SomethingUnmodelled', 'CloudFront.CloudFrontException'],
    [
      'arn:aws:states:::dynamodb:updateItem',
      'ConditionalCheckFailedException',
      'DynamoDB.ConditionalCheckFailedException',
    ],
    ['arn:aws:states:::dynamodb:updateItem', 'RequestLimitExceeded', 'DynamoDB.RequestLimitExceededException'],
    ['arn:aws:states:::dynamodb:updateItem', 'InternalServerError', 'DynamoDB.InternalServerErrorException'],
    ['arn:aws:states:::dynamodb:updateItem', 'ValidationException', 'DynamoDB.AmazonDynamoDBException'],
    ['arn:aws:states:::sqs:sendMessage', 'KmsThrottled', 'SQS.KmsThrottledException'],
    ['arn:aws:states:::sqs:sendMessage', 'MissingParameter', 'SQS.AmazonSQSException'],
    ['arn:aws:states:::sns:publish', 'KMSOptInRequired', 'SNS.KMSOptInRequiredException'],
    ['arn:aws:states:::sns:publish', 'Throttling', 'SNS.AmazonSNSException'],
  ])('%s failing with %s fails the Task with %s', async (resource, serviceError, expected) => {
    const deps = failingDeps(new LocalServiceError(serviceError, 'refused'));

    const run = runTask(context(resource), {}, deps);

    await expect(run).rejects.toMatchObject({ name: expected });
  });

  it('names a call that got no answer <Service>.SdkClientException', async () => {
    const run = runTask(context('arn:aws:states:::sqs:sendMessage'), {}, failingDeps(new TypeError('socket hang up')));

    await expect(run).rejects.toMatchObject({ name: 'SQS.SdkClientException' });
  });

  it('puts the service error code in an optimized integration Cause, as DynamoDB reports it', async () => {
    const dynamoDb = new LocalDynamoDb({
      dataDir: await mkdtemp(join(tmpdir(), 'vodflow-names-')),
      tables: [{ name: 'catalogue', partitionKey: 'assetId' }],
    });
    const deps: TaskDependencies = {
      invoke: () => Promise.reject(new Error('no functions here')),
      call: (_service, command, input) => dynamoDb.handle(command, input),
    };
    const params = {
      TableName: 'catalogue',
      Key: { assetId: { S: 'a1' } },
      ConditionExpression: 'publishId = :p',
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':p': { S: 'p1' }, ':s': { S: 'READY' } },
    };

    const run = runTask(context('arn:aws:states:::dynamodb:updateItem'), params, deps);

    await expect(run).rejects.toMatchObject({
      name: 'DynamoDB.ConditionalCheckFailedException',
      message: expect.stringMatching(
        /^The conditional request failed \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: [\w-]+; Proxy: null\)$/,
      ) as unknown,
    });
  });

  it('raises, for every error the ASL integrations model, a name the error-name test accepts', () => {
    for (const [name, state] of Object.entries(taskStates())) {
      const integration = typeof state.Resource === 'string' ? integrationOf(state.Resource) : undefined;
      if (!integration) continue;
      const { possible } = possibleErrorNames(state);
      const models: Record<string, string> = { DynamoDB: 'dynamodb', SNS: 'sns', SQS: 'sqs', CloudFront: 'cloudfront' };
      const modelName = models[integration.naming.service];
      expect([name, modelName]).toEqual([name, expect.any(String)]);
      const operation = integration.action.charAt(0).toUpperCase() + integration.action.slice(1);
      for (const shape of operationErrors(modelName ?? '', operation)) {
        const { error } = integrationFailure(integration.naming, {
          errorName: shape,
          message: 'x',
          statusCode: 400,
          requestId: 'r',
        });
        expect([name, shape, possible.has(error)]).toEqual([name, shape, true]);
      }
    }
  });
});
