import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { encodeCursor } from '../../../functions/list-videos/catalogue-cursor';
import {
  apiEnvironment,
  bodyOf,
  CDN,
  httpEvent,
  lambdaContext,
  loadHandler,
  READY_ASSET_ID,
  readyItem,
  type RequestOptions,
} from '../../support/api-events';
import { startJwtIssuer, type TestJwtIssuer } from '../../support/jwt-issuer';

type ListModule = typeof import('../../../functions/list-videos/handler');
type GetModule = typeof import('../../../functions/get-video/handler');

const dynamo = mockClient(DynamoDBDocumentClient);
let issuer: TestJwtIssuer;
let list: ListModule['handler'];
let get: GetModule['handler'];
let operatorToken: string;
let viewerToken: string;
let uploaderToken: string;

beforeAll(async () => {
  issuer = await startJwtIssuer();
  const env = apiEnvironment(issuer);
  ({ handler: list } = loadHandler(
    () => jest.requireActual<ListModule>('../../../functions/list-videos/handler'),
    env,
  ));
  ({ handler: get } = loadHandler(() => jest.requireActual<GetModule>('../../../functions/get-video/handler'), env));
  operatorToken = await issuer.token('op-1', { entitlements: ['operator'] });
  viewerToken = await issuer.token('viewer-1', { entitlements: ['subscriber'] });
  uploaderToken = await issuer.token('uploader-1', { entitlements: ['uploader'] });
});

afterAll(async () => {
  await issuer.close();
});

beforeEach(() => {
  dynamo.reset();
});

afterEach(() => {
  // Reads only: no catalogue route writes.
  expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
});

const listVideos = (options: RequestOptions = {}) => list(httpEvent('GET /videos', '/videos', options), lambdaContext);
const getVideo = (options: RequestOptions = {}, assetId = READY_ASSET_ID) =>
  get(
    httpEvent('GET /videos/{assetId}', `/videos/${assetId}`, { pathParameters: { assetId }, ...options }),
    lambdaContext,
  );

describe('GET /videos', () => {
  it('lists published assets newest first, with an opaque cursor to the next page', async () => {
    const lastKey = { assetId: READY_ASSET_ID, status: 'READY', updatedAt: '2026-11-20T10:20:00.000Z' };
    dynamo.on(QueryCommand).resolves({ Items: [readyItem()], LastEvaluatedKey: lastKey });

    const result = await listVideos();

    expect(result.statusCode).toBe(200);
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'vodflow-test-catalogue',
      IndexName: 'byStatus',
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': 'READY' },
      ScanIndexForward: false,
      Limit: 20,
    });
    const body = bodyOf(result) as { items: unknown[]; next: string };
    expect(body.items).toEqual([
      {
        assetId: READY_ASSET_ID,
        title: 'Big Buck Bunny',
        status: 'READY',
        accessLevel: 'subscriber',
        duration: 596.5,
        poster: `${CDN}/assets/${READY_ASSET_ID}/${READY_ASSET_ID}-0123456789abcdef/poster/poster.0000001.jpg`,
        publishedAt: '2026-11-20T10:20:00.000Z',
      },
    ]);
    expect(body.next).toMatch(/^[A-Za-z0-9_-]+$/);

    dynamo.on(QueryCommand).resolves({ Items: [] });
    const second = await listVideos({ query: { next: body.next, limit: '5' } });

    expect(second.statusCode).toBe(200);
    expect(bodyOf(second)).toEqual({ items: [] });
    expect(dynamo).toHaveReceivedNthSpecificCommandWith(2, QueryCommand, { Limit: 5, ExclusiveStartKey: lastKey });
  });

  it('lets operators list any status', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [readyItem({ status: 'FAILED' })] });

    const result = await listVideos({ token: operatorToken, query: { status: 'FAILED' } });

    expect(result.statusCode).toBe(200);
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, { ExpressionAttributeValues: { ':status': 'FAILED' } });
  });

  it('403 for a viewer asking for assets that are not READY', async () => {
    const result = await listVideos({ token: viewerToken, query: { status: 'FAILED' } });

    expect(result.statusCode).toBe(403);
    expect(dynamo).not.toHaveReceivedCommand(QueryCommand);
  });

  it.each([
    [{ limit: '0' }, 'limit must be a whole number from 1 to 100'],
    [{ limit: '101' }, 'limit must be a whole number from 1 to 100'],
    [{ limit: 'ten' }, 'limit must be a whole number from 1 to 100'],
    [{ status: 'DELETED' }, 'status must be one of'],
    [{ next: 'bm90LWpzb24' }, 'next is not a cursor of this listing'],
    [{ sort: 'asc' }, 'unknown query parameter "sort"'],
  ])('400 for %j', async (query, problem) => {
    const result = await listVideos({ query });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual(expect.arrayContaining([expect.stringContaining(problem)]));
    expect(dynamo).not.toHaveReceivedCommand(QueryCommand);
  });

  it('refuses a cursor edited to page through another status', async () => {
    const forged = encodeCursor({ assetId: READY_ASSET_ID, status: 'FAILED', updatedAt: '2026-11-20T10:20:00.000Z' });

    const result = await listVideos({ query: { next: forged } });

    expect(result.statusCode).toBe(400);
    expect(dynamo).not.toHaveReceivedCommand(QueryCommand);
  });
});

describe('GET /videos/{assetId}', () => {
  it('describes a published asset with its playback URLs', async () => {
    dynamo.on(GetCommand).resolves({ Item: readyItem() });

    const result = await getVideo();

    expect(result.statusCode).toBe(200);
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, {
      TableName: 'vodflow-test-catalogue',
      Key: { assetId: READY_ASSET_ID },
    });
    expect(bodyOf(result)).toEqual({
      assetId: READY_ASSET_ID,
      title: 'Big Buck Bunny',
      status: 'READY',
      accessLevel: 'subscriber',
      duration: 596.5,
      progress: 100,
      poster: `${CDN}/assets/${READY_ASSET_ID}/${READY_ASSET_ID}-0123456789abcdef/poster/poster.0000001.jpg`,
      trickplay: `${CDN}/assets/${READY_ASSET_ID}/${READY_ASSET_ID}-0123456789abcdef/cmaf/`,
      renditions: readyItem().renditions,
      playback: {
        hls: `${CDN}/out/v1/aa11/bb22/cc33/index.m3u8`,
        dash: `${CDN}/out/v1/aa11/dd44/ee55/index.mpd`,
      },
      createdAt: '2026-11-20T10:00:00.000Z',
      updatedAt: '2026-11-20T10:20:00.000Z',
      publishedAt: '2026-11-20T10:20:00.000Z',
    });
  });

  it('404 for viewers when the asset is not READY, exactly as for an unknown id', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: readyItem({ status: 'TRANSCODING' }) })
      .resolves({});

    const transcoding = await getVideo({ token: viewerToken });
    const unknown = await getVideo({ token: viewerToken });

    expect(transcoding.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(transcoding.body).toBe(unknown.body);
  });

  it('shows the uploader its own asset while it transcodes, without playback URLs', async () => {
    const transcoding = readyItem({ playback: undefined, publishedAt: undefined });
    dynamo.on(GetCommand).resolves({ Item: { ...transcoding, status: 'TRANSCODING', job: { id: 'j', progress: 42 } } });

    const result = await getVideo({ token: uploaderToken });

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ status: 'TRANSCODING', progress: 42 });
    expect(bodyOf(result).playback).toBeUndefined();
  });

  it('shows the uploader why its upload was rejected', async () => {
    const error = { state: 'ProbeSource', code: 'SourceRejected', cause: 'the file has no video stream' };
    dynamo.on(GetCommand).resolves({ Item: readyItem({ status: 'REJECTED', error }) });

    const result = await getVideo({ token: uploaderToken });

    expect(bodyOf(result)).toMatchObject({ status: 'REJECTED', error });
    expect(bodyOf(result).playback).toBeUndefined();
  });

  it('shows operators a failure with its error; the uploader sees the state without it', async () => {
    const error = {
      state: 'RegisterAsset',
      code: 'PackagingFailed',
      cause: '{"errorType":"PackagingFailed"}',
      failedAt: 'x',
    };
    dynamo.on(GetCommand).resolves({ Item: readyItem({ status: 'FAILED', error }) });

    const operator = await getVideo({ token: operatorToken });
    const uploader = await getVideo({ token: uploaderToken });

    expect(operator.statusCode).toBe(200);
    expect(bodyOf(operator)).toMatchObject({ status: 'FAILED', error });
    expect(bodyOf(uploader).status).toBe('FAILED');
    expect(bodyOf(uploader).error).toBeUndefined();
  });

  it('400 for an asset id that cannot exist, without reading the catalogue', async () => {
    const result = await getVideo({}, 'a'.repeat(41));

    expect(result.statusCode).toBe(400);
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });
});
