import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createS3HttpHandler } from '../../../local/services/s3/http/s3-http-handler';
import { bodyText, createS3World, md5Hex, SOURCE_BUCKET, type S3World } from './local-s3-world';

const MiB = 1024 * 1024;
const CREDENTIALS = { accessKeyId: 'LOCALVODFLOWACCESSKEY', secretAccessKey: 'local-vodflow-secret-access-key' };
const PAGE_ORIGIN = 'http://127.0.0.1:5173';
const ENV_NAMES = ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;

let world: S3World;
let server: Server;
let endpoint: string;
let savedEnv: Partial<Record<(typeof ENV_NAMES)[number], string>>;
/** How far the handler's clock runs ahead of the real one: a test moves time instead of waiting for it. */
let clockAheadMs: number;

beforeAll(() => {
  savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
});

afterAll(() => {
  for (const name of ENV_NAMES) {
    const value = savedEnv[name];
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  }
});

beforeEach(async () => {
  world = await createS3World();
  clockAheadMs = 0;
  const handle = createS3HttpHandler({
    now: () => new Date(Date.now() + clockAheadMs),
    s3: world.s3,
    credentials: CREDENTIALS,
    region: 'us-east-1',
    pathPrefix: '/s3',
    // A signer that may do everything these tests exercise (other-bucket: to see S3's NoSuchBucket).
    grants: [SOURCE_BUCKET, 'other-bucket'].map((bucket) => ({
      bucket,
      keyPrefix: '',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    })),
    allowedOrigins: [PAGE_ORIGIN],
  });
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Exactly how local mode points the functions' shared S3 client at local S3: through the environment only.
  process.env.AWS_ENDPOINT_URL_S3 = `${endpoint}/s3`;
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await world.dispose();
});

/** The client an upload API builds: default config from the environment, checksums only when required. */
function uploadClient(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', ...config });
}

function presignPut(key: string, contentType = 'video/mp4', client = uploadClient(), options = {}) {
  return getSignedUrl(client, new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, ContentType: contentType }), {
    expiresIn: 900,
    signableHeaders: new Set(['content-type']),
    ...options,
  });
}

function put(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = { 'content-type': 'video/mp4' },
) {
  return fetch(url, { method: 'PUT', body, headers });
}

async function s3Error(
  response: Response,
): Promise<{ status: number; code: string | undefined; message: string | undefined }> {
  const text = await response.text();
  return {
    status: response.status,
    code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1],
  };
}

async function stored(key: string): Promise<string> {
  return bodyText(await world.s3.handle('GetObject', { Bucket: SOURCE_BUCKET, Key: key }));
}

describe('pre-signed URLs from the SDK, configured only by AWS_ENDPOINT_URL_S3', () => {
  it('come out path-style under the /s3 prefix of the local server', async () => {
    const url = new URL(await presignPut('uploads/abcdef12345678/My clip (1).mp4'));

    expect(url.origin).toBe(endpoint);
    expect(url.pathname).toBe(`/s3/${SOURCE_BUCKET}/uploads/abcdef12345678/My%20clip%20%281%29.mp4`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
  });

  it('PUT stores the bytes (200 + ETag), announces the object once, and GET/HEAD read it back', async () => {
    // Prepare
    const key = 'uploads/abcdef12345678/My clip (1).mp4';
    const url = await presignPut(key);
    const bytes = Buffer.from('fake mp4 bytes');

    // Act
    const response = await put(url, bytes);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${md5Hex(bytes)}"`);
    expect(await world.s3.head(SOURCE_BUCKET, key)).toMatchObject({ size: bytes.length, contentType: 'video/mp4' });
    expect(world.events).toHaveLength(1);
    expect(world.events[0]!.detail).toMatchObject({ reason: 'PutObject', object: { size: bytes.length } });

    const getUrl = await getSignedUrl(uploadClient(), new GetObjectCommand({ Bucket: SOURCE_BUCKET, Key: key }));
    const got = await fetch(getUrl);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('video/mp4');
    expect(got.headers.get('etag')).toBe(`"${md5Hex(bytes)}"`);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);
    const ranged = await fetch(getUrl, { headers: { range: 'bytes=5-7' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 5-7/${bytes.length}`);
    expect(await ranged.text()).toBe('mp4');
    const headUrl = await getSignedUrl(uploadClient(), new HeadObjectCommand({ Bucket: SOURCE_BUCKET, Key: key }));
    const head = await fetch(headUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
  });

  it('multipart: the browser PUTs parts and POSTs the completion to pre-signed URLs, all from the page origin', async () => {
    // Prepare: as the upload API does: create the upload, sign each part with its length, sign complete
    const key = 'uploads/abcdef12345678/lecture.mov';
    const { UploadId } = await world.s3.handle('CreateMultipartUpload', {
      Bucket: SOURCE_BUCKET,
      Key: key,
      ContentType: 'video/quicktime',
    });
    const upload = { Bucket: SOURCE_BUCKET, Key: key, UploadId: UploadId as string };
    const parts = [Buffer.alloc(5 * MiB, 'a'), Buffer.alloc(5 * MiB, 'b'), Buffer.from('last part')];
    const urls = await Promise.all(
      parts.map((part, index) =>
        getSignedUrl(
          uploadClient(),
          new UploadPartCommand({ ...upload, PartNumber: index + 1, ContentLength: part.length }),
          { expiresIn: 900 },
        ),
      ),
    );
    const completeUrl = await getSignedUrl(uploadClient(), new CompleteMultipartUploadCommand(upload), {
      expiresIn: 900,
    });

    // Act: each part's ETag is readable cross-origin (CORS exposes it) and goes into the completion XML
    const etags: string[] = [];
    for (const [index, url] of urls.entries()) {
      const response = await fetch(url, { method: 'PUT', body: parts[index]!, headers: { origin: PAGE_ORIGIN } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
      expect(response.headers.get('access-control-expose-headers')).toContain('ETag');
      etags.push(response.headers.get('etag') ?? '');
    }
    const eventsBeforeComplete = world.events.length;
    const xml =
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      etags.map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    const completed = await fetch(completeUrl, {
      method: 'POST',
      body: xml,
      headers: { origin: PAGE_ORIGIN, 'content-type': 'application/xml' },
    });

    // Assess
    const partMd5s = parts.map((part) => createHash('md5').update(part).digest());
    const objectEtag = `"${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-3"`;
    expect(etags).toEqual(partMd5s.map((md5) => `"${md5.toString('hex')}"`));
    expect(completed.status).toBe(200);
    expect(completed.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    const result = await completed.text();
    expect(result).toContain('<CompleteMultipartUploadResult');
    expect(result).toContain(`<ETag>${objectEtag.replace(/"/g, '&quot;')}</ETag>`);
    expect(result).toContain(`<Key>${key}</Key>`);
    expect(eventsBeforeComplete).toBe(0);
    expect(world.events.map((event) => event.detail.reason)).toEqual(['CompleteMultipartUpload']);
    expect(await world.s3.head(SOURCE_BUCKET, key)).toMatchObject({
      size: 10 * MiB + 9,
      etag: objectEtag,
      contentType: 'video/quicktime',
    });
    const tail = await world.s3.handle('GetObject', {
      Bucket: SOURCE_BUCKET,
      Key: key,
      Range: `bytes=${10 * MiB - 1}-`,
    });
    expect(await bodyText(tail)).toBe('blast part');
  });

  it('multipart: a part of another length than signed is refused, and a pre-signed DELETE aborts the upload', async () => {
    // Prepare: create through a pre-signed POST ?uploads, as any S3 client could
    const key = 'uploads/abcdef12345678/given-up.mov';
    const createUrl = await getSignedUrl(
      uploadClient(),
      new CreateMultipartUploadCommand({ Bucket: SOURCE_BUCKET, Key: key, ContentType: 'video/quicktime' }),
    );
    const created = await fetch(createUrl, { method: 'POST', headers: { 'content-type': 'video/quicktime' } });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())?.[1] ?? '';
    const upload = { Bucket: SOURCE_BUCKET, Key: key, UploadId: uploadId };
    const partUrl = await getSignedUrl(
      uploadClient(),
      new UploadPartCommand({ ...upload, PartNumber: 1, ContentLength: 4 }),
    );
    const abortUrl = await getSignedUrl(uploadClient(), new AbortMultipartUploadCommand(upload));
    const completeUrl = await getSignedUrl(uploadClient(), new CompleteMultipartUploadCommand(upload));

    // Act
    const tooLong = await fetch(partUrl, { method: 'PUT', body: '12345' });
    const exact = await fetch(partUrl, { method: 'PUT', body: '1234' });
    const malformed = await fetch(completeUrl, { method: 'POST', body: '<CompleteMultipartUpload/>' });
    const aborted = await fetch(abortUrl, { method: 'DELETE' });
    const afterAbort = await fetch(partUrl, { method: 'PUT', body: '1234' });

    // Assess
    expect(created.status).toBe(200);
    expect(uploadId).not.toBe('');
    expect(await s3Error(tooLong)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(exact.status).toBe(200);
    expect(await s3Error(malformed)).toMatchObject({ status: 400, code: 'MalformedXML' });
    expect(aborted.status).toBe(204);
    expect(await s3Error(afterAbort)).toMatchObject({ status: 404, code: 'NoSuchUpload' });
    expect(await world.s3.head(SOURCE_BUCKET, key)).toBeUndefined();
    expect(world.events).toEqual([]);
  });
});

describe('declared size', () => {
  it('refuses a completion that lists fewer parts than the signed x-amz-mp-object-size with 400 InvalidRequest', async () => {
    // Prepare: an upload declared as three parts (the upload API signs the total into the completion URL)
    const key = 'uploads/abcdef12345678/partial.mov';
    const { UploadId } = await world.s3.handle('CreateMultipartUpload', { Bucket: SOURCE_BUCKET, Key: key });
    const upload = { Bucket: SOURCE_BUCKET, Key: key, UploadId: UploadId as string };
    const parts = [Buffer.alloc(5 * MiB, 'a'), Buffer.alloc(5 * MiB, 'b'), Buffer.from('last part')];
    const etags: string[] = [];
    for (const [index, body] of parts.entries()) {
      const output = await world.s3.handle('UploadPart', { ...upload, PartNumber: index + 1, Body: body });
      etags.push(String(output.ETag));
    }
    const declared = parts.reduce((sum, part) => sum + part.length, 0);
    const completeUrl = await getSignedUrl(
      uploadClient(),
      new CompleteMultipartUploadCommand({ ...upload, MpuObjectSize: declared }),
      { expiresIn: 900 },
    );
    const xmlFor = (count: number) =>
      `<CompleteMultipartUpload>${etags
        .slice(0, count)
        .map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
        .join('')}</CompleteMultipartUpload>`;

    // Act
    const partial = await fetch(completeUrl, { method: 'POST', body: xmlFor(2) });
    const stripped = await fetch(completeUrl.replace(/&x-amz-mp-object-size=\d+/, ''), {
      method: 'POST',
      body: xmlFor(2),
    });
    const whole = await fetch(completeUrl, { method: 'POST', body: xmlFor(3) });

    // Assess
    expect(await s3Error(partial)).toMatchObject({ status: 400, code: 'InvalidRequest' });
    expect(await s3Error(stripped)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(whole.status).toBe(200);
    expect(await world.s3.head(SOURCE_BUCKET, key)).toMatchObject({ size: declared });
    expect(world.events).toHaveLength(1);
  });

  it('answers an internal failure with InternalError and no JavaScript error text', async () => {
    const key = 'uploads/abcdef12345678/x.mov';
    const { UploadId } = await world.s3.handle('CreateMultipartUpload', { Bucket: SOURCE_BUCKET, Key: key });
    const completeUrl = await getSignedUrl(
      uploadClient(),
      new CompleteMultipartUploadCommand({ Bucket: SOURCE_BUCKET, Key: key, UploadId: UploadId as string }),
    );
    const broken = world.s3.handle.bind(world.s3);
    jest.spyOn(world.s3, 'handle').mockImplementation((command, input) => {
      if (command === 'CompleteMultipartUpload') throw new TypeError('Cannot read properties of undefined (reading x)');
      return broken(command, input);
    });

    const answer = await fetch(completeUrl, {
      method: 'POST',
      body: '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>',
    });
    const text = await answer.text();

    expect(answer.status).toBe(500);
    expect(text).toContain('<Code>InternalError</Code>');
    expect(text).not.toContain('Cannot read properties');
  });
});

describe('signature checks', () => {
  it('refuses an expired URL with 403 AccessDenied "Request has expired"', async () => {
    const url = await presignPut('uploads/abcdef12345678/late.mp4', 'video/mp4', uploadClient(), {
      signingDate: new Date(Date.now() - 120_000),
      expiresIn: 60,
    });

    const response = await put(url, 'bytes');

    expect(await s3Error(response)).toEqual({ status: 403, code: 'AccessDenied', message: 'Request has expired' });
    expect(await world.s3.head(SOURCE_BUCKET, 'uploads/abcdef12345678/late.mp4')).toBeUndefined();
  });

  it('accepts a URL until it expires and refuses it after (expiresIn 1)', async () => {
    const url = await presignPut('uploads/abcdef12345678/soon.mp4', 'video/mp4', uploadClient(), { expiresIn: 1 });

    expect((await put(url, 'in time')).status).toBe(200);
    clockAheadMs = 1_500;
    expect(await s3Error(await put(url, 'too late'))).toMatchObject({ status: 403, message: 'Request has expired' });
    expect(await stored('uploads/abcdef12345678/soon.mp4')).toBe('in time');
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html (X-Amz-Expires: 1 to 604800 seconds)
  it.each(['604801', '0', 'soon'])(
    'refuses X-Amz-Expires=%s (outside 1..604800, a week) with 400 AuthorizationQueryParametersError',
    async (expires) => {
      const url = new URL(await presignPut('uploads/abcdef12345678/week.mp4'));
      url.searchParams.set('X-Amz-Expires', expires);

      expect(await s3Error(await put(url.href, 'x'))).toMatchObject({
        status: 400,
        code: 'AuthorizationQueryParametersError',
      });
      expect(await world.s3.head(SOURCE_BUCKET, 'uploads/abcdef12345678/week.mp4')).toBeUndefined();
    },
  );

  it('accepts a URL signed for the longest S3 allows, a week', async () => {
    const url = await presignPut('uploads/abcdef12345678/week.mp4', 'video/mp4', uploadClient(), {
      expiresIn: 604_800,
    });

    expect((await put(url, 'x')).status).toBe(200);
  });

  it('refuses a tampered signature, another key, a stretched expiry and a wrong secret with SignatureDoesNotMatch', async () => {
    const url = new URL(await presignPut('uploads/abcdef12345678/a.mp4'));
    const signature = url.searchParams.get('X-Amz-Signature')!;
    const tampered = new URL(url);
    tampered.searchParams.set('X-Amz-Signature', `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`);
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace('a.mp4', 'b.mp4');
    const stretched = new URL(url);
    stretched.searchParams.set('X-Amz-Expires', '604800');
    const wrongSecret = await presignPut(
      'uploads/abcdef12345678/a.mp4',
      'video/mp4',
      uploadClient({ credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'guessed' } }),
    );

    for (const attempt of [tampered.href, otherKey.href, stretched.href, wrongSecret]) {
      expect(await s3Error(await put(attempt, 'x'))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    }
    expect(await world.s3.list(SOURCE_BUCKET, '')).toEqual([]);
  });

  it('refuses an unknown access key with InvalidAccessKeyId', async () => {
    const client = uploadClient({ credentials: { accessKeyId: 'AKIASOMEONEELSE', secretAccessKey: 'x' } });

    const response = await put(await presignPut('uploads/abcdef12345678/a.mp4', 'video/mp4', client), 'x');

    expect(await s3Error(response)).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
  });

  it('refuses a body sent with another or no content-type than the one signed', async () => {
    const url = await presignPut('uploads/abcdef12345678/a.mp4', 'video/mp4');

    const wrongType = await put(url, 'x', { 'content-type': 'text/html' });
    const noType = await fetch(url, { method: 'PUT', body: new Uint8Array([1]) });

    expect(await s3Error(wrongType)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await s3Error(noType)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(world.events).toEqual([]);
  });

  it('refuses a body of another size than a signed content-length', async () => {
    const client = uploadClient();
    const command = new PutObjectCommand({
      Bucket: SOURCE_BUCKET,
      Key: 'uploads/abcdef12345678/s.mp4',
      ContentLength: 5,
    });
    const url = await getSignedUrl(client, command, { signableHeaders: new Set(['content-length']) });

    const tooLong = await fetch(url, { method: 'PUT', body: '123456' });
    const exact = await fetch(url, { method: 'PUT', body: '12345' });

    expect(await s3Error(tooLong)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(exact.status).toBe(200);
  });

  it('refuses an unsigned request with AccessDenied and an incomplete signature with a 400', async () => {
    const unsigned = await put(`${endpoint}/s3/${SOURCE_BUCKET}/uploads/abcdef12345678/a.mp4`, 'x');
    const url = new URL(await presignPut('uploads/abcdef12345678/a.mp4'));
    url.searchParams.delete('X-Amz-Date');
    const incomplete = await put(url.href, 'x');

    expect(await s3Error(unsigned)).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(unsigned.headers.get('content-type')).toBe('application/xml');
    expect(await s3Error(incomplete)).toMatchObject({ status: 400, code: 'AuthorizationQueryParametersError' });
  });

  it('refuses the default presigner, which signs the CRC32 of an empty body, with BadDigest as S3 does', async () => {
    const key = 'uploads/abcdef12345678/kept.mp4';
    await world.s3.handle('PutObject', { Bucket: SOURCE_BUCKET, Key: key, Body: 'original' });
    const url = await getSignedUrl(new S3Client({}), new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key }));

    expect(new URL(url).searchParams.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
    expect(await s3Error(await put(url, 'new bytes', {}))).toMatchObject({ status: 400, code: 'BadDigest' });
    expect(await stored(key)).toBe('original');
  });
});

describe('keys and bodies the HTTP side must not trust', () => {
  /** Sends a request target as is (fetch would resolve `..` segments before sending). */
  function rawPut(target: string, body: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const { hostname, port } = new URL(endpoint);
      const req = request(
        { hostname, port, path: target, method: 'PUT', headers: { 'content-length': body.length } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: text });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('refuses validly signed keys that would escape the bucket folder, and writes nothing', async () => {
    for (const key of ['../../../escape.txt', 'uploads/../../escape.txt', 'uploads//x']) {
      const signed = await getSignedUrl(uploadClient(), new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key }));
      // Not through new URL(): it would resolve the `..` segments the signature covers.
      const target = signed.slice(endpoint.length);
      expect(target).toContain(key.includes('..') ? '/../' : '//');

      const response = await rawPut(target, 'evil');

      expect(response.status).toBe(400);
      expect(response.body).toContain('<Code>InvalidArgument</Code>');
    }
    expect(existsSync(path.join(world.dataDir, 'escape.txt'))).toBe(false);
    expect(existsSync(path.join(world.dataDir, 's3', 'escape.txt'))).toBe(false);
    expect(await readdir(path.join(world.dataDir, 's3', SOURCE_BUCKET))).toEqual([]);
  });

  it('keeps the existing object when an upload is cut off half-way', async () => {
    // Prepare
    const key = 'uploads/abcdef12345678/kept.mp4';
    await world.s3.handle('PutObject', { Bucket: SOURCE_BUCKET, Key: key, Body: 'original' });
    const url = new URL(await presignPut(key, 'video/mp4'));

    // Act: announce 1 MiB, send 64 KiB, then drop the connection
    await new Promise<void>((resolve) => {
      const req = request(url, { method: 'PUT', headers: { 'content-type': 'video/mp4', 'content-length': MiB } });
      req.on('error', () => {
        resolve();
      });
      req.on('response', () => {
        resolve();
      });
      req.write(Buffer.alloc(64 * 1024, 1), () => setTimeout(() => req.destroy(), 50));
    });
    await waitFor(async () => (await world.s3.pendingTempFiles()).length === 0);

    // Assess
    expect(await stored(key)).toBe('original');
    expect(world.events).toHaveLength(1); // the original PutObject only
  });

  it('answers a missing object with 404 NoSuchKey (HEAD: no body) and a missing bucket with NoSuchBucket', async () => {
    const getUrl = await getSignedUrl(uploadClient(), new GetObjectCommand({ Bucket: SOURCE_BUCKET, Key: 'missing' }));
    const headUrl = await getSignedUrl(
      uploadClient(),
      new HeadObjectCommand({ Bucket: SOURCE_BUCKET, Key: 'missing' }),
    );
    const otherBucket = await getSignedUrl(uploadClient(), new GetObjectCommand({ Bucket: 'other-bucket', Key: 'x' }));

    expect(await s3Error(await fetch(getUrl))).toMatchObject({ status: 404, code: 'NoSuchKey' });
    const head = await fetch(headUrl, { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(await head.text()).toBe('');
    expect(await s3Error(await fetch(otherBucket))).toMatchObject({ status: 404, code: 'NoSuchBucket' });
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin with that exact origin, and refuses any other origin', async () => {
    const target = `${endpoint}/s3/${SOURCE_BUCKET}/uploads/abcdef12345678/a.mp4?X-Amz-Signature=x`;
    const preflight = (origin: string, method = 'PUT') =>
      fetch(target, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
      });

    const allowed = await preflight(PAGE_ORIGIN);
    const otherOrigin = await preflight('http://evil.example');
    const otherMethod = await preflight(PAGE_ORIGIN, 'PATCH');

    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(allowed.headers.get('vary')).toContain('Origin');
    expect(await s3Error(otherOrigin)).toMatchObject({ status: 403, code: 'AccessForbidden' });
    expect(otherOrigin.headers.get('access-control-allow-origin')).toBeNull();
    expect((await s3Error(otherMethod)).status).toBe(403);
  });

  it('adds no CORS headers to the answer for an origin that is not allowed', async () => {
    const url = await presignPut('uploads/abcdef12345678/a.mp4');

    const response = await fetch(url, {
      method: 'PUT',
      body: 'x',
      headers: { 'content-type': 'video/mp4', origin: 'http://evil.example' },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
