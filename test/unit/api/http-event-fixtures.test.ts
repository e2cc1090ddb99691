import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CreateMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteAssetCommand } from '@aws-sdk/client-mediapackage-vod';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpHandler } from '../../../functions/commons/http/http-handler';
import { apiEnvironment, lambdaContext, loadHandler, readyItem } from '../../support/api-events';
import { startJwtIssuer, type TestJwtIssuer } from '../../support/jwt-issuer';
import { mockMediaPackageVod } from '../../support/mediapackage-vod-mock';

const FIXTURES = join(__dirname, '../../../events/http');
const HANDLERS: Record<string, string> = {
  'POST /uploads': '../../../functions/create-upload/handler',
  'GET /videos': '../../../functions/list-videos/handler',
  'GET /videos/{assetId}': '../../../functions/get-video/handler',
  'POST /play/{assetId}': '../../../functions/authorize-playback/handler',
  'POST /videos/{assetId}/unpublish': '../../../functions/unpublish-video/handler',
};

const dynamo = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);
const cloudFront = mockClient(CloudFrontClient);
const mediaPackage = mockMediaPackageVod();
let issuer: TestJwtIssuer;
let token: string;
const handlers: Record<string, HttpHandler> = {};

beforeAll(async () => {
  issuer = await startJwtIssuer();
  const env = apiEnvironment(issuer);
  for (const [route, module] of Object.entries(HANDLERS)) {
    handlers[route] = loadHandler(() => jest.requireActual<{ handler: HttpHandler }>(module), env).handler;
  }
  token = await issuer.token('op-1', { entitlements: ['operator'] });
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: pem.toString() });
  dynamo.on(GetCommand).resolves({ Item: readyItem({ accessLevel: 'public' }) });
  dynamo.on(PutCommand).resolves({});
  dynamo.on(QueryCommand).resolves({ Items: [readyItem({ status: 'FAILED' })] });
  dynamo.on(UpdateCommand).resolves({ Attributes: readyItem({ status: 'UNPUBLISHED' }) });
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'mpu-1' });
  cloudFront.on(CreateInvalidationCommand).resolves({});
  mediaPackage.on(DeleteAssetCommand as unknown as Parameters<typeof mediaPackage.on>[0]).resolves({});
});

afterAll(async () => {
  await issuer.close();
});

describe('events/http fixtures', () => {
  const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));

  it('cover every route', () => {
    const routes = files.map(
      (file) => (JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { routeKey: string }).routeKey,
    );
    expect(new Set(routes)).toEqual(new Set(Object.keys(HANDLERS)));
  });

  it.each(files)('%s is an HTTP API 2.0 event its handler answers', async (file) => {
    const event = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as APIGatewayProxyEventV2;
    if (event.headers.authorization !== undefined) event.headers.authorization = `Bearer ${token}`;
    const handler = handlers[event.routeKey];

    const result = await handler!(event, lambdaContext);

    expect(event.version).toBe('2.0');
    expect(event.requestContext.routeKey).toBe(event.routeKey);
    expect([200, 201]).toContain(result.statusCode);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe('https://watch.example.com');
  });
});
