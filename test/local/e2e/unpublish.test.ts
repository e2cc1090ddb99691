import type { AssetView } from '../../../local/cli/asset-status';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { LOCAL_STACK } from '../../../local/runtime/local-stack';
import { operatorToken, publishClip, requestPlayback, startTestRuntime } from '../../support/local-mode';

/**
 * An operator unpublishes a playing asset in local mode: no new cookies, the cached manifest gone from the edge,
 * even a cookie minted before the unpublish opens nothing; the catalogue keeps the record and the source stays.
 */
let runtime: LocalRuntime;
let asset: AssetView;

beforeAll(async () => {
  runtime = await startTestRuntime();
  asset = await publishClip(runtime, { durationSeconds: 8, width: 640, height: 360 });
}, 120_000);

afterAll(async () => {
  await runtime.close();
});

describe('unpublishing a published asset', () => {
  it('stops new cookies and playback with old ones, purges the edge, and keeps the record and the source', async () => {
    const token = await operatorToken(runtime);
    const hls = asset.playback?.hls ?? '';
    const before = await requestPlayback(runtime, asset.assetId, token);
    const cached = await fetch(hls, { headers: { cookie: before.cookieFor(hls) } });
    expect(cached.status).toBe(200);
    await cached.text();
    const purgedBefore = runtime.edge.stats().purged;

    const unpublish = await fetch(`${runtime.endpoints.appUrl}/api/videos/${asset.assetId}/unpublish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(unpublish.status).toBe(200);
    expect(((await unpublish.json()) as AssetView).status).toBe('UNPUBLISHED');

    expect((await requestPlayback(runtime, asset.assetId, token)).status).toBe(409);
    expect(runtime.edge.stats().purged).toBeGreaterThan(purgedBefore);
    const afterwards = await fetch(hls, { headers: { cookie: before.cookieFor(hls) } });
    expect(afterwards.status).toBe(404);

    const record = (await (
      await fetch(`${runtime.endpoints.appUrl}/api/videos/${asset.assetId}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as AssetView;
    expect(record.status).toBe('UNPUBLISHED');
    expect(await runtime.services.s3.list(LOCAL_STACK.sourceBucket, `uploads/${asset.assetId}/`)).toHaveLength(1);

    const viewer = await fetch(`${runtime.endpoints.appUrl}/api/videos/${asset.assetId}`);
    expect(viewer.status).toBe(404);
  }, 60_000);
});
