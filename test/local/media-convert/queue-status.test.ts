import '../../support/function-env';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildJobSettings, loadJobTemplate } from '../../../functions/submit-transcode/build-job-settings';
import { LocalMediaConvert } from '../../../local/services/media-convert';
import type { LocalEvent } from '../../../local/seam/local-events';
import { generateClip } from '../../support/generate-clip';
import { sourceMedia } from '../../support/source-media';
import { TempObjectStore } from '../../support/temp-object-store';

jest.setTimeout(60_000);

/**
 * A job submitted to a paused queue stays SUBMITTED, sending no event, until the queue is active again or the job
 * is canceled (https://docs.aws.amazon.com/mediaconvert/latest/ug/updating-queue-status.html).
 */
const SOURCE = 'vodflow-local-source';
const MEDIA = 'vodflow-local-media';
const QUEUE = 'vodflow-local';
const QUEUE_ARN = `arn:aws:mediaconvert:us-east-1:000000000000:queues/${QUEUE}`;

let store: TempObjectStore;
let workDir: string;
let events: LocalEvent[];
let mediaConvert: LocalMediaConvert;

beforeAll(async () => {
  store = await TempObjectStore.create();
  workDir = await mkdtemp(path.join(tmpdir(), 'vodflow-mc-queue-'));
  const clip = await generateClip(path.join(workDir, 'clip.mp4'), { durationSeconds: 2, width: 320, height: 180 });
  await store.putFile(SOURCE, 'uploads/clip.mp4', clip, { move: true });
});

beforeEach(() => {
  events = [];
  mediaConvert = new LocalMediaConvert({ store, publish: (event) => events.push(event), workDir, queues: [QUEUE] });
});

afterEach(async () => {
  await mediaConvert.close();
});

afterAll(async () => {
  await store.cleanup();
  await rm(workDir, { recursive: true, force: true });
});

function jobRequest(): Record<string, unknown> {
  const { settings } = buildJobSettings({
    template: loadJobTemplate(),
    sourceUri: `s3://${SOURCE}/uploads/clip.mp4`,
    destinationPrefix: `s3://${MEDIA}/assets/a1/p1/`,
    media: sourceMedia(320, 180, { durationSeconds: 2, frameRate: 30 }),
  });
  return { Role: 'arn:aws:iam::000000000000:role/mediaconvert', Queue: QUEUE_ARN, Settings: settings };
}

async function status(id: string): Promise<string> {
  const { Job } = (await mediaConvert.handle('GetJob', { Id: id })) as { Job: { Status: string } };
  return Job.Status;
}

const statuses = () => events.map((event) => (event.detail as { status: string }).status);

describe('local MediaConvert queue status', () => {
  it('holds a job SUBMITTED and silent while its queue is paused, and runs it once the queue is active', async () => {
    const paused = await mediaConvert.handle('UpdateQueue', { Name: QUEUE, Status: 'PAUSED' });
    const { Job } = (await mediaConvert.handle('CreateJob', jobRequest())) as { Job: { Id: string } };
    await mediaConvert.idle();

    const whilePaused = { status: await status(Job.Id), events: statuses() };
    await mediaConvert.handle('UpdateQueue', { Name: QUEUE, Status: 'ACTIVE' });
    await mediaConvert.idle();

    expect(paused).toMatchObject({ Queue: { Name: QUEUE, Status: 'PAUSED', Arn: QUEUE_ARN } });
    expect(whilePaused).toEqual({ status: 'SUBMITTED', events: [] });
    expect(await status(Job.Id)).toBe('COMPLETE');
    expect(statuses()[0]).toBe('PROGRESSING');
    expect(statuses().at(-1)).toBe('COMPLETE');
  });

  it('cancels a job waiting in a paused queue', async () => {
    await mediaConvert.handle('UpdateQueue', { Name: QUEUE, Status: 'PAUSED' });
    const { Job } = (await mediaConvert.handle('CreateJob', jobRequest())) as { Job: { Id: string } };

    await mediaConvert.handle('CancelJob', { Id: Job.Id });
    await mediaConvert.handle('UpdateQueue', { Name: QUEUE, Status: 'ACTIVE' });
    await mediaConvert.idle();

    expect(await status(Job.Id)).toBe('CANCELED');
    expect(statuses()).toEqual(['CANCELED']);
  });

  it('refuses an unknown queue and a status other than ACTIVE or PAUSED, as MediaConvert does', async () => {
    await expect(mediaConvert.handle('UpdateQueue', { Name: 'nope', Status: 'PAUSED' })).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(mediaConvert.handle('UpdateQueue', { Name: QUEUE, Status: 'STOPPED' })).rejects.toMatchObject({
      name: 'BadRequestException',
    });
    await expect(mediaConvert.handle('UpdateQueue', {})).rejects.toMatchObject({ name: 'BadRequestException' });
  });
});
