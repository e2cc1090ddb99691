import '../../support/function-env';
import { watch } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MediaConvertClient, ProbeCommand, type ProbeResult } from '@aws-sdk/client-mediaconvert';
import { mockClient } from 'aws-sdk-client-mock';
import { SourceRejected } from '../../../functions/commons/errors';
import { handler as probeSource } from '../../../functions/probe-source/handler';
import { describeSourceMedia } from '../../../functions/probe-source/describe-source-media';
import { buildJobSettings, loadJobTemplate } from '../../../functions/submit-transcode/build-job-settings';
import { FfmpegNotFound } from '../../../local/ffmpeg/locate-binaries';
import { LocalMediaConvert } from '../../../local/services/media-convert';
import type { LocalEvent } from '../../../local/seam/local-events';
import { generateClip } from '../../support/generate-clip';
import { TempObjectStore } from '../../support/temp-object-store';
import { sourceMedia } from '../../support/source-media';
import { ManualScheduler } from '../../support/manual-scheduler';

jest.setTimeout(60_000);

const SOURCE = 'vodflow-local-source';
const MEDIA = 'vodflow-local-media';
const ROLE = 'arn:aws:iam::000000000000:role/mediaconvert';

let store: TempObjectStore;
let workDir: string;
let events: LocalEvent[];
let statusWaiters: { status: string; resolve: () => void }[];
let scheduler: ManualScheduler;
let mediaConvert: LocalMediaConvert;
const savedFfmpegPath = process.env.FFMPEG_PATH;

beforeAll(async () => {
  store = await TempObjectStore.create();
  workDir = await mkdtemp(path.join(tmpdir(), 'vodflow-mc-failures-'));
  const clip = await generateClip(path.join(workDir, 'clip.mp4'), { durationSeconds: 2, width: 640, height: 360 });
  await store.putFile(SOURCE, 'uploads/clip.mp4', clip, { move: true });
  await store.putBytes(SOURCE, 'uploads/notes.mp4', new TextEncoder().encode('these are not the frames you want\n'));
});

/** Records a job state event and wakes whoever waits for its status. */
function record(event: LocalEvent): void {
  events.push(event);
  statusWaiters = statusWaiters.filter((waiter) => {
    if (event.detail.status !== waiter.status) return true;
    waiter.resolve();
    return false;
  });
}

/** Resolves when a job state event with this status is published (at once if one already was). */
function published(status: string): Promise<void> {
  if (events.some((event) => event.detail.status === status)) return Promise.resolve();
  return new Promise((resolve) => statusWaiters.push({ status, resolve }));
}

beforeEach(() => {
  events = [];
  statusWaiters = [];
  // STATUS_UPDATE ticks happen only when a test asks for one, so the sequence of events is the job's own.
  scheduler = new ManualScheduler();
  mediaConvert = new LocalMediaConvert({ store, publish: record, workDir, scheduler });
});

afterEach(async () => {
  await mediaConvert.close();
  if (savedFfmpegPath === undefined) delete process.env.FFMPEG_PATH;
  else process.env.FFMPEG_PATH = savedFfmpegPath;
});

afterAll(async () => {
  await store.cleanup();
  await rm(workDir, { recursive: true, force: true });
});

/** A stand-in ffmpeg: a shell script, so a failing or hanging encoder can be tested without a broken file. */
async function fakeFfmpeg(name: string, body: string): Promise<string> {
  const file = path.join(workDir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/**
 * An encoder that never finishes: it writes its pid and then waits (as `exec`, so the pid is the waiting process).
 * `started` resolves with that pid once the file appears; a watcher, not a polling loop.
 */
async function hangingFfmpeg(name: string): Promise<{ started: Promise<number> }> {
  const pidFile = path.join(workDir, `${name}.pid`);
  await rm(pidFile, { force: true });
  process.env.FFMPEG_PATH = await fakeFfmpeg(
    `hanging-ffmpeg-${name}`,
    `echo $$ > "${pidFile}.tmp"\nmv "${pidFile}.tmp" "${pidFile}"\nexec sleep 600`,
  );
  const started = new Promise<number>((resolve, reject) => {
    const watcher = watch(workDir, (_event, file) => {
      if (file !== `${name}.pid`) return;
      watcher.close();
      readFile(pidFile, 'utf8').then((text) => {
        resolve(Number(text.trim()));
      }, reject);
    });
  });
  return { started };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let jobs = 0;

/** A job as submit-transcode builds it for the clip, each with its own destination folder. */
function jobRequest(token?: string): Record<string, unknown> {
  jobs += 1;
  const { settings } = buildJobSettings({
    template: loadJobTemplate(),
    sourceUri: `s3://${SOURCE}/uploads/clip.mp4`,
    destinationPrefix: `s3://${MEDIA}/assets/a${jobs}/p${jobs}/`,
    media: sourceMedia(640, 360, { durationSeconds: 2, frameRate: 30 }),
  });
  return {
    Role: ROLE,
    Settings: settings,
    UserMetadata: { correlationId: 'c-1' },
    ...(token ? { ClientRequestToken: token } : {}),
  };
}

describe('local MediaConvert Probe', () => {
  it('answers in the shape of MediaConvert Probe, which probe-source reads as the clip it is', async () => {
    const response = await mediaConvert.handle('Probe', {
      InputFiles: [{ FileUrl: `s3://${SOURCE}/uploads/clip.mp4` }],
    });

    const [result] = response.ProbeResults as ProbeResult[];
    expect(result).toMatchObject({
      Container: {
        Format: 'mp4',
        Tracks: [
          {
            TrackType: 'video',
            Codec: 'AVC',
            Index: 1,
            VideoProperties: { Width: 640, Height: 360, FrameRate: { Numerator: 30, Denominator: 1 }, BitDepth: 8 },
          },
          { TrackType: 'audio', Codec: 'AAC', Index: 2, AudioProperties: { Channels: 2, SampleRate: 48000 } },
        ],
      },
      Metadata: { MimeType: 'video/mp4', FileSize: (await store.head(SOURCE, 'uploads/clip.mp4'))?.size },
      TrackMappings: [{ VideoTrackIndexes: [1], AudioTrackIndexes: [2] }],
    });
    expect(describeSourceMedia(result, { maxDurationSeconds: 60, maxBytes: 1e9 })).toMatchObject({
      width: 640,
      height: 360,
      frameRate: 30,
      videoCodec: 'AVC',
      hasAudio: true,
      audioCodec: 'AAC',
      container: 'mp4',
    });
    expect(result?.Container?.Duration).toBeCloseTo(2, 1);
  });

  it('refuses a file that is not media with BadRequestException, which probe-source rejects as unreadable', async () => {
    const client = mockClient(MediaConvertClient);
    client.on(ProbeCommand).callsFake((input: Record<string, unknown>) => mediaConvert.handle('Probe', input));
    try {
      const probing = probeSource({
        source: { bucket: SOURCE, key: 'uploads/notes.mp4', versionId: '', etag: '"x"', size: 34 },
      });
      await expect(probing).rejects.toThrow(SourceRejected);
      await expect(probing).rejects.toMatchObject({ reason: 'unreadable' });
      // The uploader reads a sentence, never the internal s3:// path or the tool's text.
      await expect(probing).rejects.toThrow(/could not be read as a video/);
      await expect(probing).rejects.not.toThrow(/s3:\/\/|Unable to open/);
    } finally {
      client.restore();
    }
  });

  it('refuses a missing object and a malformed request with BadRequestException', async () => {
    await expect(
      mediaConvert.handle('Probe', { InputFiles: [{ FileUrl: `s3://${SOURCE}/uploads/nothing.mp4` }] }),
    ).rejects.toMatchObject({ name: 'BadRequestException', message: expect.stringContaining('does not exist') });
    await expect(mediaConvert.handle('Probe', { InputFiles: [] })).rejects.toMatchObject({
      name: 'BadRequestException',
    });
    await expect(
      mediaConvert.handle('Probe', { InputFiles: [{ FileUrl: 'https://example.com/a.mp4' }] }),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
  });
});

describe('local MediaConvert jobs', () => {
  it('answers CreateJob at once as SUBMITTED, and the same ClientRequestToken returns the same job', async () => {
    const request = jobRequest('token-1');
    const first = await mediaConvert.handle('CreateJob', request);
    const again = await mediaConvert.handle('CreateJob', jobRequest('token-1'));

    expect(first.Job).toMatchObject({
      Status: 'SUBMITTED',
      Role: ROLE,
      Queue: 'arn:aws:mediaconvert:us-east-1:000000000000:queues/Default',
      UserMetadata: { correlationId: 'c-1' },
      Settings: request.Settings,
    });
    expect((first.Job as { CreatedAt: unknown }).CreatedAt).toBeInstanceOf(Date);
    expect((again.Job as { Id: string }).Id).toBe((first.Job as { Id: string }).Id);
    await mediaConvert.idle();
    expect(new Set(events.map((event) => event.detail.jobId))).toEqual(new Set([(first.Job as { Id: string }).Id]));
    expect(events.filter((event) => event.detail.status === 'COMPLETE')).toHaveLength(1);
    const job = await mediaConvert.handle('GetJob', { Id: (first.Job as { Id: string }).Id });
    expect(job.Job).toMatchObject({ Status: 'COMPLETE', OutputGroupDetails: expect.any(Array) });
  });

  it('ends in ERROR with the exit code and a path-free stderr tail when ffmpeg fails', async () => {
    process.env.FFMPEG_PATH = await fakeFfmpeg('failing-ffmpeg', 'echo "Conversion failed: $0 refused" >&2\nexit 1');

    await mediaConvert.handle('CreateJob', jobRequest());
    await mediaConvert.idle();

    expect(events.map((event) => event.detail.status)).toEqual(['PROGRESSING', 'ERROR']);
    const { errorCode, errorMessage } = events[1]?.detail as { errorCode: number; errorMessage: string };
    expect(errorCode).toBe(1999);
    expect(errorMessage).toContain('ffmpeg exited with code 1');
    expect(errorMessage).toContain('Conversion failed: failing-ffmpeg refused');
    expect(errorMessage).not.toContain(workDir);
    await expect(store.list(MEDIA, `assets/a${jobs}/`)).resolves.toEqual([]);
  });

  it('ends in ERROR 1010 when the source object is gone', async () => {
    const request = jobRequest();
    const settings = request.Settings as { Inputs: { FileInput: string }[] };
    if (settings.Inputs[0]) settings.Inputs[0].FileInput = `s3://${SOURCE}/uploads/deleted.mp4`;

    await mediaConvert.handle('CreateJob', request);
    await mediaConvert.idle();

    expect(events[1]?.detail).toMatchObject({ status: 'ERROR', errorCode: 1010 });
  });

  it('cancels a running job: ffmpeg is stopped, CANCELED is announced, nothing is published', async () => {
    const encoder = await hangingFfmpeg('cancel');
    const created = await mediaConvert.handle('CreateJob', jobRequest());
    const id = (created.Job as { Id: string }).Id;
    await published('PROGRESSING');
    expect(scheduler.tick()).toBe(1);
    expect(events.map((event) => event.detail.status)).toEqual(['PROGRESSING', 'STATUS_UPDATE']);
    const pid = await encoder.started;

    await mediaConvert.handle('CancelJob', { Id: id });
    await mediaConvert.idle();

    expect(isRunning(pid)).toBe(false);
    expect(events[0]?.detail.status).toBe('PROGRESSING');
    expect(events[events.length - 1]?.detail).toMatchObject({ status: 'CANCELED', jobId: id });
    expect(events.map((event) => event.detail.status)).not.toContain('COMPLETE');
    await expect(mediaConvert.handle('GetJob', { Id: id })).resolves.toMatchObject({ Job: { Status: 'CANCELED' } });
    await expect(mediaConvert.handle('CancelJob', { Id: id })).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(store.list(MEDIA, `assets/a${jobs}/`)).resolves.toEqual([]);
  });

  it('close() stops a running ffmpeg and publishes nothing more', async () => {
    const encoder = await hangingFfmpeg('close');
    await mediaConvert.handle('CreateJob', jobRequest());
    await published('PROGRESSING');
    const pid = await encoder.started;

    await mediaConvert.close();

    expect(isRunning(pid)).toBe(false);
    expect(events.map((event) => event.detail.status)).toEqual(['PROGRESSING']);
    expect(scheduler.active).toBe(0);
  });

  it('refuses a job of frame captures only, as MediaConvert does', async () => {
    const request = jobRequest();
    const settings = request.Settings as { OutputGroups: { CustomName?: string }[] };
    settings.OutputGroups = settings.OutputGroups.filter((group) => group.CustomName === 'images');

    await expect(mediaConvert.handle('CreateJob', request)).rejects.toMatchObject({
      name: 'BadRequestException',
      message: 'a job needs an audio or video output besides its frame captures',
    });
  });

  it('refuses a frame capture output with a container or with audio', async () => {
    const withContainer = jobRequest();
    const captures = (withContainer.Settings as { OutputGroups: { Outputs: Record<string, unknown>[] }[] })
      .OutputGroups[1]?.Outputs;
    if (captures?.[0]) captures[0].ContainerSettings = { Container: 'MP4' };

    await expect(mediaConvert.handle('CreateJob', withContainer)).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('a frame capture output needs container RAW and no audio') as unknown,
    });
  });

  it('refuses two outputs of one group that would write the same file', async () => {
    const request = jobRequest();
    const [mp4] = (request.Settings as { OutputGroups: { Outputs: Record<string, unknown>[] }[] }).OutputGroups;
    const [first] = mp4?.Outputs ?? [];
    if (mp4 && first) mp4.Outputs = [first, structuredClone(first)];

    await expect(mediaConvert.handle('CreateJob', request)).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('outputs need distinct NameModifiers') as unknown,
    });
  });

  it('refuses settings it cannot honour, unknown jobs and unknown commands', async () => {
    const request = jobRequest();
    (request.Settings as { OutputGroups: unknown[] }).OutputGroups = [];

    await expect(mediaConvert.handle('CreateJob', request)).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(mediaConvert.handle('CreateJob', { Settings: jobRequest().Settings })).rejects.toMatchObject({
      name: 'BadRequestException',
    });
    await expect(mediaConvert.handle('GetJob', { Id: '1795230000000-zzzzzz' })).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(mediaConvert.handle('ListJobs', {})).rejects.toMatchObject({ name: 'UnsupportedOperation' });
  });
});

describe('local MediaConvert without ffmpeg', () => {
  it('fails the job with an error that says how to provide ffmpeg', async () => {
    const withoutFfmpeg = new LocalMediaConvert({
      store,
      publish: record,
      workDir,
      scheduler,
      binaries: () => {
        throw new FfmpegNotFound('no ffmpeg found: set FFMPEG_PATH');
      },
    });
    try {
      await withoutFfmpeg.handle('CreateJob', jobRequest());
      await withoutFfmpeg.idle();

      expect(events.map((event) => event.detail.status)).toEqual(['PROGRESSING', 'ERROR']);
      expect(events[1]?.detail.errorMessage).toBe('no ffmpeg found: set FFMPEG_PATH');
      await expect(
        withoutFfmpeg.handle('Probe', { InputFiles: [{ FileUrl: `s3://${SOURCE}/uploads/clip.mp4` }] }),
      ).rejects.toMatchObject({ name: 'InternalServerErrorException', $fault: 'server' });
    } finally {
      await withoutFfmpeg.close();
    }
  });
});
