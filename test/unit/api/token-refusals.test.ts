import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpHandler } from '../../../functions/commons/http/http-handler';
import {
  apiEnvironment,
  bodyOf,
  httpEvent,
  lambdaContext,
  loadHandler,
  READY_ASSET_ID,
  readyItem,
  type RequestOptions,
} from '../../support/api-events';
import { startJwtIssuer, type TestJwtIssuer } from '../../support/jwt-issuer';

const dynamo = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
let issuer: TestJwtIssuer;
const routes: { name: string; handler: HttpHandler; event: (options: RequestOptions) => APIGatewayProxyEventV2 }[] = [];
const path = { pathParameters: { assetId: READY_ASSET_ID } };
const upload = { body: { fileName: 'bunny.mp4', contentType: 'video/mp4', size: 1000 } };

beforeAll(async () => {
  issuer = await startJwtIssuer();
  const env = apiEnvironment(issuer);
  const load = (module: string): HttpHandler =>
    loadHandler(() => jest.requireActual<{ handler: HttpHandler }>(module), env).handler;
  const create = load('../../../functions/create-upload/handler');
  const list = load('../../../functions/list-videos/handler');
  const get = load('../../../functions/get-video/handler');
  const play = load('../../../functions/authorize-playback/handler');
  const unpublish = load('../../../functions/unpublish-video/handler');
  routes.push(
    {
      name: 'POST /uploads',
      handler: create,
      event: (o) => httpEvent('POST /uploads', '/uploads', { ...upload, ...o }),
    },
    { name: 'GET /videos', handler: list, event: (o) => httpEvent('GET /videos', '/videos', o) },
    {
      name: 'GET /videos/{assetId}',
      handler: get,
      event: (o) => httpEvent('GET /videos/{assetId}', `/videos/${READY_ASSET_ID}`, { ...path, ...o }),
    },
    {
      name: 'POST /play/{assetId}',
      handler: play,
      event: (o) => httpEvent('POST /play/{assetId}', `/play/${READY_ASSET_ID}`, { ...path, ...o }),
    },
    {
      name: 'POST /videos/{assetId}/unpublish',
      handler: unpublish,
      event: (o) =>
        httpEvent('POST /videos/{assetId}/unpublish', `/videos/${READY_ASSET_ID}/unpublish`, { ...path, ...o }),
    },
  );
});

afterAll(async () => {
  await issuer.close();
});

beforeEach(() => {
  dynamo.reset();
  s3.reset();
  // Even a public asset: a bad token is refused before anything is looked up or signed.
  dynamo.on(GetCommand).resolves({ Item: readyItem({ accessLevel: 'public' }) });
});

const operator = { entitlements: ['operator'] };
const badTokens: [string, () => RequestOptions | Promise<RequestOptions>, string][] = [
  ['a malformed token', () => ({ token: 'not.a-jwt' }), 'malformed token'],
  ['a non-Bearer Authorization header', () => ({ authorization: 'Basic dXNlcjpwYXNz' }), 'malformed Authorization'],
  [
    'an expired token',
    async () => ({ token: await issuer.token('op', operator, { expiresIn: -60 }) }),
    'token expired',
  ],
  [
    'a token not yet valid',
    async () => ({ token: await issuer.token('op', operator, { notBefore: 120 }) }),
    'token not yet valid',
  ],
  [
    'a token of another issuer',
    async () => ({ token: await issuer.token('op', operator, { issuer: 'https://evil.example.com' }) }),
    'token issuer not accepted',
  ],
  [
    'a token for another audience',
    async () => ({ token: await issuer.token('op', operator, { audience: 'another-api' }) }),
    'token audience not accepted',
  ],
  [
    'an unsigned token (alg: none)',
    () => ({ token: issuer.unsignedToken('op', operator) }),
    'token algorithm not accepted',
  ],
  [
    'an HS256 token signed with the public key',
    async () => ({ token: await issuer.publicKeyHmacToken('op', operator) }),
    'token algorithm not accepted',
  ],
  [
    'a token whose sub is not a string',
    async () => ({ token: await issuer.token(42 as unknown as string, operator) }),
    'token claim sub not accepted',
  ],
  [
    'a token whose sub is empty',
    async () => ({ token: await issuer.token('', operator) }),
    'token claim sub not accepted',
  ],
  [
    'a token with an unknown critical header',
    () => ({ token: issuer.criticalHeaderToken('op', operator) }),
    'token has a critical header parameter this API does not understand',
  ],
  [
    'a token signed by another key',
    async () => ({ token: await issuer.foreignKeyToken('op', operator) }),
    'token signature invalid',
  ],
];

describe.each([
  'POST /uploads',
  'GET /videos',
  'GET /videos/{assetId}',
  'POST /play/{assetId}',
  'POST /videos/{assetId}/unpublish',
])('%s refuses bad tokens', (routeName) => {
  it.each(badTokens)('401 for %s', async (_case, options, reason) => {
    const route = routes.find((candidate) => candidate.name === routeName)!;
    const request = await options();

    const result = await route.handler(route.event(request), lambdaContext);

    expect(result.statusCode).toBe(401);
    expect(result.headers?.['WWW-Authenticate']).toMatch(/^Bearer realm="vodflow", error="invalid_token"/);
    expect(String(bodyOf(result).message)).toContain(reason);
    expect(result.cookies).toBeUndefined();
    const token = request.token ?? request.authorization ?? '';
    expect(result.body).not.toContain(token);
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
    expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('routes that need a caller', () => {
  it.each(['POST /uploads', 'POST /videos/{assetId}/unpublish'])('%s answers 401 without a token', async (name) => {
    const route = routes.find((candidate) => candidate.name === name)!;

    const result = await route.handler(route.event({}), lambdaContext);

    expect(result.statusCode).toBe(401);
    expect(result.headers?.['WWW-Authenticate']).toBe('Bearer realm="vodflow"');
    expect(bodyOf(result)).toEqual({ message: 'a bearer token is required' });
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
    expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
  });
});
