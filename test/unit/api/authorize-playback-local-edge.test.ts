import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { generateKeyPairSync } from 'node:crypto';
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

type Module = typeof import('../../../functions/authorize-playback/handler');

const dynamo = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const EDGE = 'http://127.0.0.1:8451';
let issuer: TestJwtIssuer;
let handler: Module['handler'];

/** The configuration local mode uses: plain-HTTP edge, Lax cookies, and here IP binding on. */
beforeAll(async () => {
  issuer = await startJwtIssuer();
  ({ handler } = loadHandler(
    () => jest.requireActual<Module>('../../../functions/authorize-playback/handler'),
    apiEnvironment(issuer, {
      CDN_BASE_URL: EDGE,
      COOKIE_SECURE: 'false',
      COOKIE_SAME_SITE: 'Lax',
      COOKIE_BIND_IP: 'true',
    }),
  ));
});

afterAll(async () => {
  await issuer.close();
});

beforeEach(() => {
  dynamo.reset();
  secrets.reset();
  dynamo.on(GetCommand).resolves({ Item: readyItem({ accessLevel: 'public' }) });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: pem });
});

const play = (sourceIp: string) =>
  handler(
    httpEvent('POST /play/{assetId}', `/play/${READY_ASSET_ID}`, {
      pathParameters: { assetId: READY_ASSET_ID },
      sourceIp,
    }),
    lambdaContext,
  );

const policiesOf = (cookies: string[] | undefined) =>
  (cookies ?? [])
    .filter((line) => line.startsWith('CloudFront-Policy='))
    .map((line) => {
      const value = line.slice('CloudFront-Policy='.length).split(';')[0] ?? '';
      return JSON.parse(
        Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString('utf8'),
      ) as { Statement: { Resource: string; Condition: Record<string, unknown> }[] };
    });

describe('POST /play/{assetId} behind the local edge', () => {
  it('serves playback URLs and cookie resources on the configured edge, bound to the caller IPv4', async () => {
    const result = await play('198.51.100.23');

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).playback).toEqual({
      hls: `${EDGE}/out/v1/aa11/bb22/cc33/index.m3u8`,
      dash: `${EDGE}/out/v1/aa11/dd44/ee55/index.mpd`,
    });
    expect(policiesOf(result.cookies).map((policy) => policy.Statement[0])).toEqual([
      {
        Resource: `${EDGE}/out/v1/aa11/*`,
        Condition: {
          DateLessThan: { 'AWS:EpochTime': expect.any(Number) },
          IpAddress: { 'AWS:SourceIp': '198.51.100.23/32' },
        },
      },
      {
        Resource: `${EDGE}/assets/${READY_ASSET_ID}/*`,
        Condition: {
          DateLessThan: { 'AWS:EpochTime': expect.any(Number) },
          IpAddress: { 'AWS:SourceIp': '198.51.100.23/32' },
        },
      },
    ]);
    for (const line of result.cookies ?? []) {
      expect(line).toMatch(/; Max-Age=300; HttpOnly; SameSite=Lax$/);
    }
  });

  it('cannot bind an IPv6 caller (CloudFront policies take IPv4 only) and binds by time and path alone', async () => {
    const result = await play('2001:db8::7');

    expect(result.statusCode).toBe(200);
    for (const policy of policiesOf(result.cookies)) expect(policy.Statement[0]?.Condition.IpAddress).toBeUndefined();
  });
});
