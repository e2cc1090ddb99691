import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { startTestRuntime } from '../../support/local-mode';

/** The app server's own routes: issuer, inspection, the redrive endpoint the CLI uses, static files, API routing. */
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});

afterAll(async () => {
  await runtime.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${runtime.endpoints.appUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('the local app server', () => {
  it('passes a redrive request to the redrive function as is, and answers a bad one with 400 and the reason', async () => {
    const report = (await (await post('/local/redrive', { dryRun: true })).json()) as Record<string, unknown>;
    expect(report).toMatchObject({ mode: 'queue', dryRun: true, received: 0 });

    const refused = await post('/local/redrive', { maxMessages: 'all' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ message: 'maxMessages must be an integer from 1 to 1000' });
  });

  it('issues tokens only for well-formed users and entitlements, and publishes its JWKS', async () => {
    expect((await post('/auth/token', { user: 'ann', entitlements: ['subscriber'] })).status).toBe(200);
    expect((await post('/auth/token', { user: '../ann', entitlements: [] })).status).toBe(400);
    expect((await post('/auth/token', { user: 'ann', entitlements: ['Bad Claim'] })).status).toBe(400);
    const jwks = (await (await fetch(`${runtime.endpoints.appUrl}/auth/.well-known/jwks.json`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('routes the API like the HTTP API: 404 for an unknown route, 405 for a known path with another method', async () => {
    expect((await fetch(`${runtime.endpoints.appUrl}/api/nothing-here`)).status).toBe(404);
    expect((await fetch(`${runtime.endpoints.appUrl}/api/uploads`)).status).toBe(405);
    expect((await fetch(`${runtime.endpoints.appUrl}/api/videos`)).status).toBe(200);
  });

  it('serves the page and the players, and nothing outside local/web', async () => {
    expect((await fetch(`${runtime.endpoints.appUrl}/`)).headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(`${runtime.endpoints.appUrl}/vendor/hls.min.js`)).status).toBe(200);
    expect((await fetch(`${runtime.endpoints.appUrl}/vendor/dash.all.min.js`)).status).toBe(200);
    expect((await fetch(`${runtime.endpoints.appUrl}/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`${runtime.endpoints.appUrl}/local/config`)).status).toBe(200);
  });
});
