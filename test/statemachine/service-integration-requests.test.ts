import { readRawDefinition } from '../support/publish-video-definition';
import { loadModel, validateShape, type ModelName } from '../support/aws-model';
import { PublishVideoWorld } from '../support/publish-video-world';

/** Each direct service integration of the ASL and the request shape of the API it calls. */
const INTEGRATIONS: Record<string, { model: ModelName; shape: string; serialised?: string }> = {
  'arn:aws:states:::dynamodb:updateItem': { model: 'dynamodb', shape: 'UpdateItemInput' },
  'arn:aws:states:::sns:publish': { model: 'sns', shape: 'PublishInput', serialised: 'Message' },
  'arn:aws:states:::sqs:sendMessage': { model: 'sqs', shape: 'SendMessageRequest', serialised: 'MessageBody' },
  'arn:aws:states:::aws-sdk:cloudfront:createInvalidation': {
    model: 'cloudfront',
    shape: 'CreateInvalidationRequest',
  },
};

interface TaskState {
  Type: string;
  Resource?: unknown;
}

function directIntegrations(): Map<string, string> {
  const states = readRawDefinition().States as unknown as Record<string, TaskState>;
  return new Map(
    Object.entries(states)
      // Lambda tasks (function ARNs, lambda:invoke) carry our own payloads: the functions' tests cover those.
      .filter(([, state]) => state.Type === 'Task' && typeof state.Resource === 'string')
      .filter(([, state]) => !(state.Resource as string).startsWith('arn:aws:states:::lambda:'))
      .map(([name, state]) => [name, state.Resource as string]),
  );
}

/** Runs that together enter every Task state: published, failed at the last step, rejected. */
async function requestsOfEveryPath(): Promise<{ state: string; params: Record<string, unknown> }[]> {
  const published = new PublishVideoWorld();
  await published.start();
  const failed = new PublishVideoWorld().fail('NotifyPublished', 'SNS.InternalErrorException');
  await failed.start();
  const rejected = new PublishVideoWorld().reject('no video stream');
  await rejected.start();
  return [...published.requests, ...failed.requests, ...rejected.requests];
}

describe('service integration requests of the state machine', () => {
  it('uses only integrations this test knows the API shape of', () => {
    const unknown = [...directIntegrations().values()].filter((resource) => !(resource in INTEGRATIONS));

    expect(unknown).toEqual([]);
  });

  it('sends every direct integration a request that matches the AWS API model', async () => {
    // Prepare
    const integrations = directIntegrations();
    const requests = await requestsOfEveryPath();

    // Act: Step Functions serialises a JSON Message/MessageBody to a string before calling the API
    const problems = requests.flatMap(({ state, params }) => {
      const resource = integrations.get(state);
      const integration = resource === undefined ? undefined : INTEGRATIONS[resource];
      if (!integration) return [];
      const request = { ...params };
      if (integration.serialised && typeof request[integration.serialised] === 'object') {
        request[integration.serialised] = JSON.stringify(request[integration.serialised]);
      }
      return validateShape(loadModel(integration.model), integration.shape, request, state);
    });

    // Assess
    expect(new Set(requests.map((request) => request.state).filter((state) => integrations.has(state)))).toEqual(
      new Set([...integrations.keys()]),
    );
    expect(problems).toEqual([]);
  });

  it('would catch a request the API refuses', () => {
    const model = loadModel('dynamodb');

    const problems = validateShape(model, 'UpdateItemInput', {
      TableName: 'catalogue',
      Key: { assetId: { S: 'a1' } },
      ReturnValues: 'EVERYTHING',
      UpdateExpresion: 'SET a = :a',
    });

    expect(problems).toEqual([
      'UpdateItemInput.ReturnValues: "EVERYTHING" is not one of NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW',
      'UpdateItemInput.UpdateExpresion: not a member of UpdateItemInput',
    ]);
  });
});
