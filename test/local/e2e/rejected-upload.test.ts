import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForFinalStatus } from '../../../local/cli/asset-status';
import { generateClip } from '../../../local/cli/sample-clip';
import { uploadFile } from '../../../local/cli/upload-client';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { LOCAL_STACK } from '../../../local/runtime/local-stack';
import { operatorToken, startTestRuntime } from '../../support/local-mode';

/** Bad input in local mode behaves as in the cloud: REJECTED with the reason, a notification, the source kept. */
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});

afterAll(async () => {
  await runtime.close();
});

describe('an upload that is not a video', () => {
  it('ends REJECTED with a clear reason and a rejection notice, keeps the source, and the server keeps serving', async () => {
    const token = await operatorToken(runtime);
    const file = join(runtime.dataDir, 'holiday.mp4');
    await writeFile(file, randomBytes(64 * 1024));

    const assetId = await uploadFile(runtime.endpoints, token, file);
    const asset = await waitForFinalStatus(runtime.endpoints, token, assetId, () => undefined, 60_000);
    await runtime.idle();

    expect(asset.status).toBe('REJECTED');
    expect(JSON.stringify(asset.error)).toMatch(/SourceRejected.*could not be read as a video/);
    expect(JSON.stringify(asset.error)).not.toMatch(/s3:\/\/|Invalid data|ffprobe/);
    const notices = runtime.services.sns.messages(LOCAL_STACK.notificationsTopic);
    expect(notices.filter((notice) => JSON.stringify(notice).includes('video.rejected'))).toHaveLength(1);
    expect(runtime.services.sqs.peek(LOCAL_STACK.deadLetterQueue)).toEqual([]);
    expect(await runtime.services.s3.list(LOCAL_STACK.sourceBucket, `uploads/${assetId}/`)).toHaveLength(1);
    expect((await fetch(`${runtime.endpoints.appUrl}/api/videos`)).status).toBe(200);
  }, 90_000);
});

describe('an MP4 with a valid header and damaged media data', () => {
  it('passes the probe, fails the transcode on the file itself, and ends REJECTED at Transcode: no dead letter', async () => {
    const token = await operatorToken(runtime);
    const clip = await generateClip(join(runtime.dataDir, 'clips', 'damaged.mp4'), {
      durationSeconds: 4,
      width: 320,
      height: 180,
    });
    // The moov box (the header the probe reads) stays; everything inside mdat (the frames) becomes noise.
    const bytes = await readFile(clip);
    const mdat = bytes.indexOf('mdat');
    expect(mdat).toBeGreaterThan(0);
    randomBytes(bytes.length - mdat - 4).copy(bytes, mdat + 4);
    await writeFile(clip, bytes);
    const lettersBefore = runtime.services.sqs.peek(LOCAL_STACK.deadLetterQueue).length;

    const assetId = await uploadFile(runtime.endpoints, token, clip);
    const asset = await waitForFinalStatus(runtime.endpoints, token, assetId, () => undefined, 60_000);
    await runtime.idle();

    expect(asset.status).toBe('REJECTED');
    expect(asset.error).toMatchObject({ state: 'Transcode', code: 'SourceRejected' });
    expect(JSON.stringify(asset.error)).toMatch(/the uploaded file/);
    expect(JSON.stringify(asset.error)).not.toMatch(/s3:\/\/|ffmpeg|MediaConvert job/);
    expect(runtime.services.sqs.peek(LOCAL_STACK.deadLetterQueue)).toHaveLength(lettersBefore);
    const notices = runtime.services.sns.messages(LOCAL_STACK.notificationsTopic).map((n) => JSON.stringify(n));
    expect(notices.filter((n) => n.includes('video.rejected') && n.includes(assetId))).toHaveLength(1);
    expect(notices.filter((n) => n.includes('video.failed') && n.includes(assetId))).toHaveLength(0);
  }, 90_000);
});
