import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { generateKeyPairSync, verify } from 'node:crypto';
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

type Module = typeof import('../../../functions/authorize-playback/handler');

const dynamo = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const fromCloudFrontBase64 = (value: string) =>
  Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

let issuer: TestJwtIssuer;
let handler: Module['handler'];
let subscriber: string;

beforeAll(async () => {
  issuer = await startJwtIssuer();
  ({ handler } = loadHandler(
    () => jest.requireActual<Module>('../../../functions/authorize-playback/handler'),
    apiEnvironment(issuer, { COOKIE_TTL_SECONDS: '120' }),
  ));
  subscriber = await issuer.token('viewer-1', { entitlements: 'subscriber hd' });
});

afterAll(async () => {
  await issuer.close();
});

beforeEach(() => {
  dynamo.reset();
  secrets.reset();
  dynamo.on(GetCommand).resolves({ Item: readyItem() });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: privatePem });
});

const play = (options: RequestOptions = {}, assetId = READY_ASSET_ID) =>
  handler(
    httpEvent('POST /play/{assetId}', `/play/${assetId}`, { pathParameters: { assetId }, ...options }),
    lambdaContext,
  );

function cookiesByPath(cookies: string[] | undefined): Record<string, Record<string, string>> {
  const byPath: Record<string, Record<string, string>> = {};
  for (const line of cookies ?? []) {
    const [pair = '', ...attributes] = line.split('; ');
    const path = attributes.find((attribute) => attribute.startsWith('Path='))?.slice(5) ?? '';
    const [name = '', value = ''] = pair.split(/=(.*)/s);
    byPath[path] = { ...byPath[path], [name]: value };
  }
  return byPath;
}

describe('POST /play/{assetId}', () => {
  it('answers signed cookies for the playback prefix and the asset files, and the playback URLs', async () => {
    const before = Math.floor(Date.now() / 1000);

    const result = await play({ token: subscriber });

    expect(result.statusCode).toBe(200);
    const body = bodyOf(result);
    expect(body).toEqual({
      assetId: READY_ASSET_ID,
      playback: {
        hls: `${CDN}/out/v1/aa11/bb22/cc33/index.m3u8`,
        dash: `${CDN}/out/v1/aa11/dd44/ee55/index.mpd`,
      },
      thumbnails: {
        poster: `${CDN}/assets/${READY_ASSET_ID}/${READY_ASSET_ID}-0123456789abcdef/poster/poster.0000001.jpg`,
        trickplay: `${CDN}/assets/${READY_ASSET_ID}/${READY_ASSET_ID}-0123456789abcdef/cmaf/`,
      },
      expiresAt: expect.any(String),
    });
    const expiresAt = Date.parse(body.expiresAt as string) / 1000;
    expect(expiresAt - before).toBeGreaterThanOrEqual(120);
    expect(expiresAt - before).toBeLessThanOrEqual(121);

    const scopes = cookiesByPath(result.cookies);
    expect(Object.keys(scopes)).toEqual(['/out/v1/aa11/', `/assets/${READY_ASSET_ID}/`]);
    const resources: Record<string, string> = {
      '/out/v1/aa11/': `${CDN}/out/v1/aa11/*`,
      [`/assets/${READY_ASSET_ID}/`]: `${CDN}/assets/${READY_ASSET_ID}/*`,
    };
    for (const [path, cookies] of Object.entries(scopes)) {
      const policyJson = fromCloudFrontBase64(cookies['CloudFront-Policy']!);
      expect(JSON.parse(policyJson.toString('utf8'))).toEqual({
        Statement: [{ Resource: resources[path], Condition: { DateLessThan: { 'AWS:EpochTime': expiresAt } } }],
      });
      const signature = fromCloudFrontBase64(cookies['CloudFront-Signature']!);
      expect(verify('sha256', policyJson, publicKey, signature)).toBe(true);
      expect(cookies['CloudFront-Key-Pair-Id']).toBe('K2JCJMDEHXQW5F');
      expect(cookies['CloudFront-Hash-Algorithm']).toBe('SHA256');
    }
    for (const line of result.cookies ?? []) {
      expect(line).toMatch(/; Max-Age=120; Secure; HttpOnly; SameSite=None$/);
      expect(line).not.toContain('Domain=');
    }
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: 'vodflow-test/cloudfront-signing-key',
    });
    expect(result.body).not.toContain('PRIVATE KEY');
  });

  it('plays a public asset with no token at all', async () => {
    dynamo.on(GetCommand).resolves({ Item: readyItem({ accessLevel: 'public' }) });

    const result = await play();

    expect(result.statusCode).toBe(200);
    expect(result.cookies).toHaveLength(8);
  });

  it('lets operators play any access level', async () => {
    dynamo.on(GetCommand).resolves({ Item: readyItem({ accessLevel: 'premium' }) });

    const result = await play({ token: await issuer.token('op', { entitlements: ['operator'] }) });

    expect(result.statusCode).toBe(200);
  });

  it('401 without a token for an asset that is not public', async () => {
    const result = await play();

    expect(result.statusCode).toBe(401);
    expect(result.headers?.['WWW-Authenticate']).toBe('Bearer realm="vodflow"');
    expect(result.cookies).toBeUndefined();
  });

  it('403 for a caller without the asset access level', async () => {
    dynamo.on(GetCommand).resolves({ Item: readyItem({ accessLevel: 'premium' }) });

    const result = await play({ token: subscriber });

    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toEqual({ message: 'playing this asset needs the "premium" entitlement' });
    expect(result.headers?.['WWW-Authenticate']).toContain('insufficient_scope');
    expect(result.cookies).toBeUndefined();
    expect(secrets).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it('404 for an unknown asset', async () => {
    dynamo.on(GetCommand).resolves({});

    const result = await play({ token: subscriber });

    expect(result.statusCode).toBe(404);
    expect(result.cookies).toBeUndefined();
  });

  it('400 for an asset id that cannot exist', async () => {
    const result = await play({ token: subscriber }, '..%2F..%2Fetc');

    expect(result.statusCode).toBe(400);
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  it.each(['TRANSCODING', 'FAILED', 'UNPUBLISHED'])(
    '409 for an entitled caller when the asset is %s',
    async (status) => {
      dynamo.on(GetCommand).resolves({ Item: readyItem({ status }) });

      const result = await play({ token: subscriber });

      expect(result.statusCode).toBe(409);
      expect(bodyOf(result)).toEqual({ message: `asset ${READY_ASSET_ID} is ${status}, not READY` });
      expect(result.cookies).toBeUndefined();
    },
  );

  it('404, not 409, for an unpublished asset the caller could not play anyway', async () => {
    dynamo.on(GetCommand).resolves({ Item: readyItem({ status: 'TRANSCODING', accessLevel: 'premium' }) });

    const withToken = await play({ token: subscriber });
    const anonymous = await play();

    expect(withToken.statusCode).toBe(404);
    expect(anonymous.statusCode).toBe(404);
  });

  it('500 without detail, and no cookie, when the playback paths share no per-asset prefix', async () => {
    dynamo.on(GetCommand).resolves({
      Item: readyItem({ playback: { hls: `${CDN}/out/v1/aa11/b/index.m3u8`, dash: `${CDN}/out/v1/zz99/d/index.mpd` } }),
    });

    const result = await play({ token: subscriber });

    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({ message: 'internal error' });
    expect(result.cookies).toBeUndefined();
  });
});
