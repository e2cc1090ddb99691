import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { DeleteAssetCommand, NotFoundException } from '@aws-sdk/client-mediapackage-vod';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  apiEnvironment,
  bodyOf,
  httpEvent,
  lambdaContext,
  loadHandler,
  READY_ASSET_ID,
  readyItem,
} from '../../support/api-events';
import { startJwtIssuer, type TestJwtIssuer } from '../../support/jwt-issuer';
import { mockMediaPackageVod } from '../../support/mediapackage-vod-mock';

type Module = typeof import('../../../functions/unpublish-video/handler');

const DeleteAsset = DeleteAssetCommand as unknown as Parameters<ReturnType<typeof mockMediaPackageVod>['on']>[0];
const dynamo = mockClient(DynamoDBDocumentClient);
const cloudFront = mockClient(CloudFrontClient);
const mediaPackage = mockMediaPackageVod();
let issuer: TestJwtIssuer;
let handler: Module['handler'];
let operatorToken: string;

beforeAll(async () => {
  issuer = await startJwtIssuer();
  ({ handler } = loadHandler(
    () => jest.requireActual<Module>('../../../functions/unpublish-video/handler'),
    apiEnvironment(issuer),
  ));
  operatorToken = await issuer.token('op-1', { entitlements: ['operator'] });
});

afterAll(async () => {
  await issuer.close();
});

const unpublished = readyItem({
  status: 'UNPUBLISHED',
  unpublishedAt: '2026-11-21T09:00:00.000Z',
  unpublishedBy: 'op-1',
  updatedAt: '2026-11-21T09:00:00.000Z',
});

beforeEach(() => {
  dynamo.reset();
  cloudFront.reset();
  mediaPackage.reset();
  dynamo.on(GetCommand).resolves({ Item: readyItem() });
  dynamo.on(UpdateCommand).resolves({ Attributes: unpublished });
  mediaPackage.on(DeleteAsset).resolves({});
  cloudFront.on(CreateInvalidationCommand).resolves({
    Invalidation: { Id: 'I1', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined },
  });
});

const unpublish = (token?: string, assetId = READY_ASSET_ID) =>
  handler(
    httpEvent('POST /videos/{assetId}/unpublish', `/videos/${assetId}/unpublish`, {
      pathParameters: { assetId },
      ...(token ? { token } : {}),
    }),
    lambdaContext,
  );

function expectNothingChanged(): void {
  expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
  expect(mediaPackage).not.toHaveReceivedCommand(DeleteAsset);
  expect(cloudFront).not.toHaveReceivedCommand(CreateInvalidationCommand);
}

describe('POST /videos/{assetId}/unpublish', () => {
  it('marks the asset UNPUBLISHED, deletes the packaged asset and invalidates its paths', async () => {
    const result = await unpublish(operatorToken);

    expect(result.statusCode).toBe(200);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'vodflow-test-catalogue',
      Key: { assetId: READY_ASSET_ID },
      ConditionExpression: '#status = :ready',
      UpdateExpression: 'SET #status = :unpublished, unpublishedAt = :now, unpublishedBy = :by, updatedAt = :now',
      ExpressionAttributeValues: expect.objectContaining({
        ':ready': 'READY',
        ':unpublished': 'UNPUBLISHED',
        ':by': 'op-1',
      }),
    });
    expect(mediaPackage).toHaveReceivedCommandWith(DeleteAsset, { Id: `${READY_ASSET_ID}-0123456789abcdef` });
    expect(cloudFront).toHaveReceivedCommandWith(CreateInvalidationCommand, {
      DistributionId: 'E2QWRUHAPOMQZL',
      InvalidationBatch: {
        CallerReference: expect.stringMatching(new RegExp(`^unpublish-${READY_ASSET_ID}-`)),
        Paths: { Quantity: 2, Items: ['/out/v1/aa11/*', `/assets/${READY_ASSET_ID}/*`] },
      },
    });
    expect(bodyOf(result)).toMatchObject({
      assetId: READY_ASSET_ID,
      status: 'UNPUBLISHED',
      unpublishedAt: '2026-11-21T09:00:00.000Z',
    });
    expect(bodyOf(result).playback).toBeUndefined();
  });

  it('is idempotent: an UNPUBLISHED asset answers 200 and its playback is withdrawn again', async () => {
    dynamo.on(GetCommand).resolves({ Item: unpublished });
    mediaPackage.on(DeleteAsset).rejects(new NotFoundException({ message: 'asset not found', $metadata: {} }));

    const result = await unpublish(operatorToken);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).status).toBe('UNPUBLISHED');
    expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
    expect(cloudFront).toHaveReceivedCommandTimes(CreateInvalidationCommand, 1);
    const references = new Set<string>();
    await unpublish(operatorToken);
    for (const call of cloudFront.commandCalls(CreateInvalidationCommand)) {
      references.add(call.args[0].input.InvalidationBatch?.CallerReference ?? '');
    }
    expect(references.size).toBe(2);
  });

  it('answers 200 when another operator unpublished it between the read and the write', async () => {
    dynamo.on(GetCommand).resolvesOnce({ Item: readyItem() }).resolves({ Item: unpublished });
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    const result = await unpublish(operatorToken);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).status).toBe('UNPUBLISHED');
  });

  it('403 for a caller who is not an operator', async () => {
    const result = await unpublish(await issuer.token('u', { entitlements: ['uploader', 'subscriber'] }));

    expect(result.statusCode).toBe(403);
    expectNothingChanged();
  });

  it('404 for an unknown asset', async () => {
    dynamo.on(GetCommand).resolves({});

    const result = await unpublish(operatorToken);

    expect(result.statusCode).toBe(404);
    expectNothingChanged();
  });

  it.each(['TRANSCODING', 'FAILED', 'REJECTED'])('409 for an asset that is %s', async (status) => {
    dynamo.on(GetCommand).resolves({ Item: readyItem({ status }) });

    const result = await unpublish(operatorToken);

    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toEqual({
      message: `asset ${READY_ASSET_ID} is ${status}: only READY assets can be unpublished`,
    });
    expectNothingChanged();
  });
});
