import { CreateMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MAX_PARTS, partSizeFor } from '../../../functions/create-upload/presign-upload';
import { uploadKeyFor } from '../../../functions/create-upload/upload-key';
import {
  apiEnvironment,
  bodyOf,
  httpEvent,
  lambdaContext,
  loadHandler,
  type RequestOptions,
} from '../../support/api-events';
import { startJwtIssuer, type TestJwtIssuer } from '../../support/jwt-issuer';

type Module = typeof import('../../../functions/create-upload/handler');

const MiB = 1024 * 1024;
const dynamo = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
let issuer: TestJwtIssuer;
let handler: Module['handler'];
let uploaderToken: string;

beforeAll(async () => {
  issuer = await startJwtIssuer();
  ({ handler } = loadHandler(
    () => jest.requireActual<Module>('../../../functions/create-upload/handler'),
    apiEnvironment(issuer),
  ));
  uploaderToken = await issuer.token('uploader-1', { entitlements: ['uploader'] });
});

afterAll(async () => {
  await issuer.close();
});

beforeEach(() => {
  dynamo.reset();
  s3.reset();
  dynamo.on(PutCommand).resolves({});
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'mpu-1' });
});

const post = (body: unknown, options: RequestOptions = {}) =>
  handler(httpEvent('POST /uploads', '/uploads', { token: uploaderToken, body, ...options }), lambdaContext);

function expectNothingWritten(): void {
  expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  expect(s3).not.toHaveReceivedCommand(CreateMultipartUploadCommand);
}

describe('POST /uploads', () => {
  it('records the asset and answers a pre-signed PUT bound to the declared type and size', async () => {
    const result = await post({ fileName: 'My Holiday (1).MP4', contentType: 'video/mp4', size: 12_345_678 });

    expect(result.statusCode).toBe(201);
    const body = bodyOf(result) as { assetId: string; status: string; upload: Record<string, unknown> };
    expect(body.assetId).toMatch(/^[0-9a-f]{32}$/);
    expect(body.status).toBe('AWAITING_UPLOAD');
    const key = `uploads/${body.assetId}/My-Holiday-1.mp4`;
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'vodflow-test-catalogue',
      ConditionExpression: 'attribute_not_exists(assetId)',
      Item: {
        assetId: body.assetId,
        status: 'AWAITING_UPLOAD',
        title: 'My Holiday (1)',
        accessLevel: 'subscriber',
        uploadedBy: 'uploader-1',
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        upload: { key, size: 12_345_678, contentType: 'video/mp4' },
        expiresAt: expect.any(Number),
      },
    });
    // The record of an upload that never arrives expires (DynamoDB TTL) a day after its upload URL does.
    const [put] = dynamo.commandCalls(PutCommand);
    const expiresAt = Number(put?.args[0].input.Item?.expiresAt);
    expect(expiresAt - Date.now() / 1000).toBeGreaterThan(900 + 86_400 - 10);
    expect(expiresAt - Date.now() / 1000).toBeLessThanOrEqual(900 + 86_400);
    expect(body.upload).toEqual({
      method: 'PUT',
      url: expect.any(String),
      headers: { 'content-type': 'video/mp4' },
      expiresAt: expect.any(String),
    });
    const url = new URL(body.upload.url as string);
    expect(`${url.host}${url.pathname}`).toBe(`vodflow-test-source.s3.us-east-1.amazonaws.com/${key}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    // An empty-body checksum in the URL would make S3 refuse the real upload.
    expect(url.searchParams.has('x-amz-checksum-crc32')).toBe(false);
    const ttl = Date.parse(body.upload.expiresAt as string) - Date.now();
    expect(ttl).toBeGreaterThan(890_000);
    expect(ttl).toBeLessThanOrEqual(900_000);
    expect(result.headers?.['Cache-Control']).toBe('no-store');
  });

  it('keeps a chosen title and access level', async () => {
    const result = await post({
      fileName: 'trailer.webm',
      contentType: 'video/webm',
      size: 1000,
      title: ' Trailer ',
      accessLevel: 'public',
    });

    expect(result.statusCode).toBe(201);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ title: 'Trailer', accessLevel: 'public' }),
    });
  });

  it('answers S3 multipart with one bound URL per part, complete and abort from the threshold up', async () => {
    const size = 200 * MiB + 5;

    const result = await post({ fileName: 'film.mkv', contentType: 'video/x-matroska', size });

    expect(result.statusCode).toBe(201);
    const { assetId, upload } = bodyOf(result) as {
      assetId: string;
      upload: {
        method: string;
        uploadId: string;
        partSize: number;
        parts: { partNumber: number; size: number; url: string }[];
        complete: { method: string; url: string };
        abort: { method: string; url: string };
      };
    };
    const key = `uploads/${assetId}/film.mkv`;
    expect(s3).toHaveReceivedCommandWith(CreateMultipartUploadCommand, {
      Bucket: 'vodflow-test-source',
      Key: key,
      ContentType: 'video/x-matroska',
    });
    expect(upload.method).toBe('MULTIPART');
    expect(upload.uploadId).toBe('mpu-1');
    expect(upload.partSize).toBe(64 * MiB);
    expect(upload.parts.map((part) => part.partNumber)).toEqual([1, 2, 3, 4]);
    expect(upload.parts.reduce((sum, part) => sum + part.size, 0)).toBe(size);
    for (const part of upload.parts) {
      const url = new URL(part.url);
      expect(`${url.host}${url.pathname}`).toBe(`vodflow-test-source.s3.us-east-1.amazonaws.com/${key}`);
      expect(url.searchParams.get('partNumber')).toBe(String(part.partNumber));
      expect(url.searchParams.get('uploadId')).toBe('mpu-1');
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
      expect(url.searchParams.has('x-amz-checksum-crc32')).toBe(false);
    }
    expect(upload.complete.method).toBe('POST');
    expect(new URL(upload.complete.url).searchParams.get('uploadId')).toBe('mpu-1');
    // The declared size is signed into the completion, so completing with fewer parts is refused by S3 itself.
    expect(new URL(upload.complete.url).searchParams.get('x-amz-mp-object-size')).toBe(String(size));
    expect(upload.abort.method).toBe('DELETE');
    expect(new URL(upload.abort.url).searchParams.get('uploadId')).toBe('mpu-1');
    expect(dynamo).toHaveReceivedCommandTimes(PutCommand, 1);
  });

  it('403 for a viewer without the uploader entitlement, nothing written', async () => {
    const token = await issuer.token('viewer-1', { entitlements: ['subscriber'] });

    const result = await post({ fileName: 'a.mp4', contentType: 'video/mp4', size: 10 }, { token });

    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toEqual({ message: 'uploading needs the "uploader" or "operator" entitlement' });
    expectNothingWritten();
  });

  it.each([
    ['a path', '../../etc/passwd.mp4', 'fileName must be a base name'],
    ['a parent reference', '..mp4', 'fileName must not contain ".."'],
    ['a Windows path', 'C:\\videos\\a.mp4', 'fileName must be a base name'],
    ['a control character', 'a\u0000b.mp4', 'fileName must not contain control characters'],
    ['a bidi override', 'evil\u202Egnp.mp4', 'fileName must not contain control characters'],
    ['a hidden name', '.mp4', 'fileName must not start with "."'],
    ['no extension', 'video', 'fileName must end with a video extension'],
    ['an extension of another type', 'clip.mov', 'fileName extension .mov does not match video/mp4'],
    ['a non-video extension', 'script.sh', 'fileName extension .sh does not match video/mp4'],
    ['a very long name', `${'a'.repeat(252)}.mp4`, 'fileName must be at most 255 characters'],
  ])('400 for a file name with %s', async (_case, fileName, problem) => {
    const result = await post({ fileName, contentType: 'video/mp4', size: 10 });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual(expect.arrayContaining([expect.stringContaining(problem)]));
    expectNothingWritten();
  });

  it.each([
    [
      'a disallowed content type',
      { fileName: 'a.mp4', contentType: 'application/x-sh', size: 10 },
      'contentType must be one of',
    ],
    ['an image type', { fileName: 'a.png', contentType: 'image/png', size: 10 }, 'contentType must be one of'],
    [
      'an oversize file',
      { fileName: 'a.mp4', contentType: 'video/mp4', size: 50 * 1024 * MiB + 1 },
      'size must be at most 53687091200 bytes',
    ],
    ['a zero size', { fileName: 'a.mp4', contentType: 'video/mp4', size: 0 }, 'size must be a whole number of bytes'],
    [
      'a fractional size',
      { fileName: 'a.mp4', contentType: 'video/mp4', size: 1.5 },
      'size must be a whole number of bytes',
    ],
    [
      'a size as text',
      { fileName: 'a.mp4', contentType: 'video/mp4', size: '10' },
      'size must be a whole number of bytes',
    ],
    [
      'a bad access level',
      { fileName: 'a.mp4', contentType: 'video/mp4', size: 1, accessLevel: 'VIP!' },
      'accessLevel must be',
    ],
    [
      'an empty title',
      { fileName: 'a.mp4', contentType: 'video/mp4', size: 1, title: ' ' },
      'title must be a non-empty string',
    ],
    ['an unknown field', { fileName: 'a.mp4', contentType: 'video/mp4', size: 1, key: 'x' }, 'unknown field "key"'],
    ['an array', [1, 2], 'body must be a JSON object'],
  ])('400 for %s', async (_case, body, problem) => {
    const result = await post(body);

    expect(result.statusCode).toBe(400);
    expect(result.headers?.['Content-Type']).toBe('application/json');
    expect(bodyOf(result).errors).toEqual(expect.arrayContaining([expect.stringContaining(problem)]));
    expectNothingWritten();
  });

  it('lists every problem of a request at once', async () => {
    const result = await post({ fileName: 'a/b', contentType: 'text/html' });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toHaveLength(4);
    expect(String(bodyOf(result).message)).toMatch(/^invalid request: /);
  });

  it('415 for a body that is not JSON', async () => {
    const result = await post(undefined, {
      rawBody: 'fileName=a.mp4',
      contentType: 'application/x-www-form-urlencoded',
    });

    expect(result.statusCode).toBe(415);
    expect(bodyOf(result)).toEqual({ message: 'Unsupported Media Type' });
    expectNothingWritten();
  });

  it('415 for malformed JSON, without echoing it', async () => {
    const result = await post(undefined, { rawBody: '{"fileName": "secret.mp4",' });

    expect(result.statusCode).toBe(415);
    expect(result.body).not.toContain('secret.mp4');
    expectNothingWritten();
  });

  it('500 without internal detail when the catalogue write fails', async () => {
    dynamo.on(PutCommand).rejects(new Error('ProvisionedThroughputExceeded at arn:aws:dynamodb:us-east-1:123:table/x'));

    const result = await post({ fileName: 'a.mp4', contentType: 'video/mp4', size: 10 });

    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({ message: 'internal error' });
    expect(s3).not.toHaveReceivedCommand(CreateMultipartUploadCommand);
  });

  it('allows credentialed CORS for a configured origin only, errors included', async () => {
    const allowed = await post(
      { fileName: 'a.mp4', contentType: 'video/mp4', size: 10 },
      { origin: 'https://watch.example.com' },
    );
    const refused = await post({}, { origin: 'https://watch.example.com' });
    const foreign = await post(
      { fileName: 'a.mp4', contentType: 'video/mp4', size: 10 },
      { origin: 'https://evil.example.com' },
    );

    expect(allowed.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://watch.example.com',
      'Access-Control-Allow-Credentials': 'true',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers?.['Access-Control-Allow-Origin']).toBe('https://watch.example.com');
    expect(foreign.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
    expect(Object.values(foreign.headers ?? {})).not.toContain('*');
  });
});

describe('upload layout', () => {
  it('keeps generated keys under uploads/<assetId>/ with a plain file name', () => {
    expect(uploadKeyFor('0123456789abcdef0123456789abcdef', 'Été à Paris ☀.MOV')).toBe(
      'uploads/0123456789abcdef0123456789abcdef/Ete-a-Paris.mov',
    );
    expect(uploadKeyFor('0123456789abcdef0123456789abcdef', '☀.mp4')).toBe(
      'uploads/0123456789abcdef0123456789abcdef/video.mp4',
    );
  });

  it('grows the part size so a file never needs more parts than one response can carry', () => {
    expect(partSizeFor(100 * MiB, 64 * MiB)).toBe(64 * MiB);
    const huge = 200 * 1024 * MiB;
    const partSize = partSizeFor(huge, 64 * MiB);
    expect(Math.ceil(huge / partSize)).toBeLessThanOrEqual(MAX_PARTS);
    expect(partSize % MiB).toBe(0);
  });
});
