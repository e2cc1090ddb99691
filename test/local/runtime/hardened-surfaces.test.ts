import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { connect } from 'node:net';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { functionEnvironment, LOCAL_STACK } from '../../../local/runtime/local-stack';
import { startTestRuntime, operatorToken } from '../../support/local-mode';

/** Every local HTTP surface answers a hostile or malformed request and keeps serving the next one. */
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});

afterAll(async () => {
  await runtime.close();
});

/** Sends bytes as they are (no client-side normalisation) and resolves the status line's code. */
function rawStatus(base: string, requestText: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(requestText));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
  });
}

const rawGet = (base: string, target: string, headers: string[] = []) =>
  rawStatus(
    base,
    [`GET ${target} HTTP/1.1`, `Host: ${new URL(base).host}`, 'Connection: close', ...headers, '', ''].join('\r\n'),
  );

describe('malformed requests on every port', () => {
  it.each([['edge'], ['app']] as const)(
    'answers a bad percent-escape under /api/ on the %s port with 400, and keeps serving',
    async (port) => {
      const base = port === 'edge' ? runtime.endpoints.edgeUrl : runtime.endpoints.appUrl;

      const answer = await fetch(`${base}/api/videos/%E0%A4%A`);

      expect(answer.status).toBe(400);
      expect(await answer.json()).toEqual({ message: 'Bad Request' });
      expect((await fetch(`${base}/api/videos`)).status).toBe(200);
    },
  );

  it.each([
    ['app', '//'],
    ['app', '/api//'],
    ['edge', '//'],
    ['edge', '/api/videos/%'],
  ] as const)('answers the request target %s %s with a 4xx and no stack', async (port, target) => {
    const base = port === 'edge' ? runtime.endpoints.edgeUrl : runtime.endpoints.appUrl;

    const answer = await rawGet(base, target);

    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.text).not.toMatch(/at .*\.ts:\d+|URIError|TypeError/);
    expect((await fetch(`${base}/api/videos`)).status).toBe(200);
  });

  it('answers a bad percent-escape in a pre-signed S3 path with S3 InvalidURI', async () => {
    const answer = await fetch(`${runtime.endpoints.appUrl}/s3/bucket/%E0%A4%A?X-Amz-Algorithm=AWS4-HMAC-SHA256`);

    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('<Code>InvalidURI</Code>');
  });
});

describe('the HTTP API event (payload format 2.0)', () => {
  it('joins two Authorization headers with a comma, as API Gateway does, so neither is taken alone', async () => {
    const token = await operatorToken(runtime);

    const answer = await rawStatus(
      runtime.endpoints.appUrl,
      [
        'POST /api/uploads HTTP/1.1',
        `Host: ${new URL(runtime.endpoints.appUrl).host}`,
        `Authorization: Bearer ${token}`,
        'Authorization: Bearer not-a-token',
        'Content-Type: application/json',
        'Content-Length: 2',
        'Connection: close',
        '',
        '{}',
      ].join('\r\n'),
    );

    expect(answer.status).toBe(401);
  });

  it('joins repeated query parameters with a comma, as API Gateway does', async () => {
    const answer = await fetch(`${runtime.endpoints.appUrl}/api/videos?limit=2&limit=3`);

    expect(answer.status).toBe(400);
    expect(JSON.stringify(await answer.json())).toContain('limit must be a whole number');
  });
});

describe('the /local operator routes', () => {
  const redrive = (headers: Record<string, string>, body: string) =>
    fetch(`${runtime.endpoints.appUrl}/local/redrive`, { method: 'POST', headers, body });

  it('refuses a text/plain post (a form any web page can send) with 415', async () => {
    const answer = await redrive({ 'content-type': 'text/plain' }, '{"dryRun":false}');

    expect(answer.status).toBe(415);
  });

  it('refuses a malformed JSON body with 400 instead of replaying everything', async () => {
    const answer = await redrive({ 'content-type': 'application/json' }, '{"dryRun": fal');

    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ message: 'the request body is not valid JSON' });
  });

  it('refuses a body that is not a JSON object with 400', async () => {
    const answer = await redrive({ 'content-type': 'application/json' }, '[]');

    expect(answer.status).toBe(400);
  });

  it.each([
    ['another Origin', { origin: 'http://evil.example' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ])('refuses a cross-site request (%s) with 403', async (_case, headers) => {
    const post = await redrive({ 'content-type': 'application/json', ...headers }, '{"dryRun":true}');
    const read = await fetch(`${runtime.endpoints.appUrl}/local/queues`, { headers });

    expect(post.status).toBe(403);
    expect(read.status).toBe(403);
  });

  it('accepts the page itself and the CLI (same origin, or no browser headers)', async () => {
    const fromPage = await redrive(
      { 'content-type': 'application/json', origin: runtime.endpoints.appUrl, 'sec-fetch-site': 'same-origin' },
      '{"dryRun":true}',
    );
    const fromCli = await redrive({ 'content-type': 'application/json; charset=utf-8' }, '{"dryRun":true}');

    expect(fromPage.status).toBe(200);
    expect(fromCli.status).toBe(200);
  });
});

describe('pre-signed URLs made with the local credentials', () => {
  /** A client holding the functions' built-in local key pair, as anyone reading the repository could. */
  function localKeyClient(): S3Client {
    const environment = functionEnvironment(runtime.endpoints, 'K');
    return new S3Client({
      region: 'us-east-1',
      endpoint: `${runtime.endpoints.appUrl}/s3`,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      credentials: {
        accessKeyId: environment.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: environment.AWS_SECRET_ACCESS_KEY ?? '',
      },
    });
  }

  it("open only what the upload function's role may do: PUT under uploads/ in the source bucket", async () => {
    await runtime.services.s3.handle('PutObject', {
      Bucket: LOCAL_STACK.mediaBucket,
      Key: 'assets/private/poster.jpg',
      Body: Buffer.from('subscriber-only'),
    });
    const client = localKeyClient();
    const signGet = (key: string) =>
      getSignedUrl(client, new GetObjectCommand({ Bucket: LOCAL_STACK.mediaBucket, Key: key }), { expiresIn: 60 });
    const signPut = (bucket: string, key: string) =>
      getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60 });
    const signDelete = (bucket: string, key: string) =>
      getSignedUrl(client, new DeleteObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60 });

    const readMedia = await fetch(await signGet('assets/private/poster.jpg'));
    const writeMedia = await fetch(await signPut(LOCAL_STACK.mediaBucket, 'assets/x/poster.jpg'), {
      method: 'PUT',
      body: 'x',
    });
    const writeOutsideUploads = await fetch(await signPut(LOCAL_STACK.sourceBucket, 'elsewhere/x.mp4'), {
      method: 'PUT',
      body: 'x',
    });
    const deleteUpload = await fetch(await signDelete(LOCAL_STACK.sourceBucket, 'uploads/abcdefgh12/x.mp4'), {
      method: 'DELETE',
    });
    const upload = await fetch(await signPut(LOCAL_STACK.sourceBucket, 'uploads/abcdefgh12/x.txt'), {
      method: 'PUT',
      body: 'x',
    });

    for (const refused of [readMedia, writeMedia, writeOutsideUploads, deleteUpload]) {
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('<Code>AccessDenied</Code>');
    }
    expect(upload.status).toBe(200);
  });
});
