import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForFinalStatus } from '../../../local/cli/asset-status';
import { uploadFile } from '../../../local/cli/upload-client';
import { locateFfmpegBinaries } from '../../../local/ffmpeg/locate-binaries';
import { runFfmpeg } from '../../../local/ffmpeg/run-ffmpeg';
import type { LocalRuntime } from '../../../local/runtime/local-runtime';
import { LOCAL_STACK } from '../../../local/runtime/local-stack';
import { operatorToken, startTestRuntime } from '../../support/local-mode';

/**
 * A file above the multipart threshold goes up as S3 multipart through the pre-signed part, complete and abort URLs
 * of POST /uploads, lands as one object (multipart ETag) and starts the workflow once, like any upload.
 */
const MiB = 1024 * 1024;
let runtime: LocalRuntime;

beforeAll(async () => {
  // Read by create-upload at cold start; local mode passes variables it does not set itself through.
  process.env.MULTIPART_THRESHOLD_BYTES = String(5 * MiB);
  process.env.MULTIPART_PART_BYTES = String(5 * MiB);
  runtime = await startTestRuntime();
});

afterAll(async () => {
  await runtime.close();
});

describe('a multipart upload in local mode', () => {
  it('is assembled from its parts into one source object and published', async () => {
    const file = join(runtime.dataDir, 'large.mp4');
    // Lossless H.264 makes a short clip large enough for three parts.
    await runFfmpeg(locateFfmpegBinaries().ffmpeg, [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=960x540:rate=30:duration=12',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-qp',
      '0',
      '-pix_fmt',
      'yuv420p',
      file,
    ]).done;
    const { size } = await stat(file);
    expect(size).toBeGreaterThan(10 * MiB);

    const token = await operatorToken(runtime);
    const progress: number[] = [];
    const assetId = await uploadFile(runtime.endpoints, token, file, { onProgress: (f) => progress.push(f) });
    const asset = await waitForFinalStatus(runtime.endpoints, token, assetId, () => undefined, 120_000);
    await runtime.idle();

    expect(asset.status).toBe('READY');
    expect(progress.at(-1)).toBe(1);
    const [source] = await runtime.services.s3.list(LOCAL_STACK.sourceBucket, `uploads/${assetId}/`);
    expect(source?.size).toBe(size);
    expect(source?.etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(runtime.services.stepFunctions.list()).toHaveLength(1);
  }, 150_000);
});
