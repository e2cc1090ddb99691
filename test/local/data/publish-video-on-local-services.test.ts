import 'aws-sdk-client-mock-jest';
import { DescribeExecutionCommand, RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { sqs as functionsSqs } from '../../../functions/commons/clients/sqs';
import { replayDeadLetters } from '../../../functions/redrive/replay-dead-letters';
import { LocalDynamoDb } from '../../../local/services/dynamodb/local-dynamodb';
import { LocalSns } from '../../../local/services/sns/local-sns';
import { LocalSqs } from '../../../local/services/sqs/local-sqs';
import { REF_VALUES, STATE_MACHINE_ARN } from '../../support/publish-video-definition';
import {
  PublishVideoWorld,
  SAMPLE_MEDIA,
  SAMPLE_PACKAGING,
  SAMPLE_REQUEST,
  SAMPLE_TRANSCODE,
} from '../../support/publish-video-world';
import { CATALOGUE_TABLE, temporaryDataDir, wire } from './local-data-wiring';
import { answerIntegrationsLocally } from './state-machine-integrations';

const TOPIC = { name: 'vodflow-test-notifications', arn: REF_VALUES.NotificationsTopic as string };
const QUEUE = {
  name: 'vodflow-test-dead-letters',
  url: REF_VALUES.DeadLetterQueue as string,
  arn: 'arn:aws:sqs:us-east-1:123456789012:vodflow-test-dead-letters',
};
const TABLE = { ...CATALOGUE_TABLE, name: REF_VALUES.CatalogueTable as string };
const ENTERED = '2026-11-21T05:00:01.000Z';

let dataDir: string;
let cleanup: () => void;
let dynamo: LocalDynamoDb;
let sns: LocalSns;
let queue: LocalSqs;

function startServices(): void {
  dynamo = new LocalDynamoDb({ dataDir, tables: [TABLE] });
  sns = new LocalSns({ dataDir, topics: [TOPIC] });
  queue = new LocalSqs({ dataDir, queues: [QUEUE] });
}

function world(): PublishVideoWorld {
  return answerIntegrationsLocally(new PublishVideoWorld(), [dynamo, sns, queue]);
}

async function record(): Promise<Record<string, unknown> | undefined> {
  const { Item } = await dynamo.handle('GetItem', {
    TableName: TABLE.name,
    Key: { assetId: { S: SAMPLE_REQUEST.assetId } },
  });
  return Item as Record<string, unknown> | undefined;
}

function notifications(): { subject?: string; message: Record<string, unknown>; event?: string }[] {
  return sns.messages(TOPIC.name).map((published) => ({
    subject: published.subject,
    message: JSON.parse(published.message) as Record<string, unknown>,
    event: published.messageAttributes.event?.StringValue,
  }));
}

beforeEach(() => {
  ({ dataDir, cleanup } = temporaryDataDir());
  startServices();
});
afterEach(() => {
  cleanup();
});

const { source } = SAMPLE_REQUEST;
const sourceAttribute = {
  M: {
    bucket: { S: source.bucket },
    key: { S: source.key },
    versionId: { S: source.versionId },
    etag: { S: source.etag },
    size: { N: String(source.size) },
  },
};

describe('publish-video direct integrations on the local services', () => {
  it('records, publishes and announces a video: RecordAsset, MarkPublished, NotifyPublished', async () => {
    const run = await world().start();

    expect(run.status).toBe('SUCCEEDED');
    expect(await record()).toEqual({
      assetId: { S: SAMPLE_REQUEST.assetId },
      status: { S: 'READY' },
      source: sourceAttribute,
      media: {
        M: {
          durationSeconds: { N: '30.03' },
          width: { N: '1920' },
          height: { N: '1080' },
          frameRate: { N: '29.97' },
          videoCodec: { S: SAMPLE_MEDIA.videoCodec },
          hasAudio: { BOOL: true },
          audioCodec: { S: SAMPLE_MEDIA.audioCodec },
          container: { S: SAMPLE_MEDIA.container },
        },
      },
      publishId: { S: SAMPLE_REQUEST.publishId },
      executionArn: { S: expect.stringContaining(':execution:') as unknown },
      createdAt: { S: ENTERED },
      updatedAt: { S: ENTERED },
      publishedAt: { S: ENTERED },
      version: { N: '1' },
      playback: { M: { hls: { S: SAMPLE_PACKAGING.playback.hls }, dash: { S: SAMPLE_PACKAGING.playback.dash } } },
      renditions: SAMPLE_TRANSCODE.renditionsAttribute,
      thumbnails: {
        M: {
          poster: { S: SAMPLE_PACKAGING.thumbnails.poster },
          trickplay: { S: SAMPLE_PACKAGING.thumbnails.trickplay },
        },
      },
      job: { M: { id: { S: SAMPLE_TRANSCODE.jobId }, progress: { N: '100' } } },
      mediaPackageAssetId: { S: SAMPLE_PACKAGING.mediaPackageAssetId },
    });
    expect(notifications()).toEqual([
      {
        subject: 'vodflow video published',
        event: 'video.published',
        message: expect.objectContaining({
          event: 'video.published',
          status: 'READY',
          assetId: SAMPLE_REQUEST.assetId,
        }) as unknown,
      },
    ]);
    expect(sns.messages(TOPIC.name)[0]?.messageAttributes).toEqual({
      event: { DataType: 'String', StringValue: 'video.published' },
      status: { DataType: 'String', StringValue: 'READY' },
      assetId: { DataType: 'String', StringValue: SAMPLE_REQUEST.assetId },
    });
  });

  it('re-publishing keeps createdAt, bumps version and clears the previous error', async () => {
    await dynamo.handle('PutItem', {
      TableName: TABLE.name,
      Item: {
        assetId: { S: SAMPLE_REQUEST.assetId },
        createdAt: { S: '2026-01-01T00:00:00.000Z' },
        version: { N: '3' },
        error: { M: { state: { S: 'Transcode' } } },
      },
    });

    await world().start();

    expect(await record()).toMatchObject({
      createdAt: { S: '2026-01-01T00:00:00.000Z' },
      version: { N: '4' },
      status: { S: 'READY' },
    });
    expect(await record()).not.toHaveProperty('error');
  });

  it('an older execution finishing late is superseded: MarkPublished condition fails and nothing is overwritten', async () => {
    const late = world().answer('RegisterAsset', async () => {
      // A newer upload of the same asset took the record while this execution was packaging.
      await dynamo.handle('UpdateItem', {
        TableName: TABLE.name,
        Key: { assetId: { S: SAMPLE_REQUEST.assetId } },
        UpdateExpression: 'SET publishId = :newer',
        ExpressionAttributeValues: { ':newer': { S: 'newer-publish' } },
      });
      return SAMPLE_PACKAGING;
    });

    const run = await late.start();

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toContain('PublishSuperseded');
    expect(await record()).toMatchObject({ publishId: { S: 'newer-publish' }, status: { S: 'INGESTED' } });
    expect(notifications()).toEqual([]);
  });

  it('records a rejection and announces it: RecordRejection, NotifyRejection', async () => {
    const run = await world().reject('no video stream').start();

    expect(run.status).toBe('SUCCEEDED');
    expect(await record()).toMatchObject({
      status: { S: 'REJECTED' },
      source: sourceAttribute,
      error: { M: { state: { S: 'ProbeSource' }, code: { S: 'SourceRejected' }, cause: { S: 'no video stream' } } },
      createdAt: { S: ENTERED },
    });
    expect(notifications()).toEqual([
      expect.objectContaining({
        event: 'video.rejected',
        message: expect.objectContaining({ cause: 'no video stream' }) as unknown,
      }),
    ]);
  });

  it('records a failure, dead-letters it and announces it; the redrive function replays the letter', async () => {
    // Prepare
    const sfn = mockClient(SFNClient);
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', redriveCount: 0, redriveStatus: 'REDRIVABLE' });
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date('2026-11-21T06:00:00Z') });
    wire(functionsSqs, queue);

    // Act
    const run = await world().fail('RegisterAsset', 'PackagingFailed', Infinity, 'ingest failed').start();

    // Assess: the record, the letter and the notification
    expect(run.status).toBe('FAILED');
    expect(await record()).toMatchObject({
      status: { S: 'FAILED' },
      source: sourceAttribute,
      error: {
        M: {
          state: { S: 'RegisterAsset' },
          code: { S: 'PackagingFailed' },
          cause: { S: 'ingest failed' },
          failedAt: { S: ENTERED },
        },
      },
    });
    const [letter, ...others] = queue.peek(QUEUE.name);
    expect(others).toEqual([]);
    expect(JSON.parse(letter?.body ?? '')).toMatchObject({
      assetId: SAMPLE_REQUEST.assetId,
      failedState: 'RegisterAsset',
      error: 'PackagingFailed',
      redriveCount: 0,
      stateMachineArn: STATE_MACHINE_ARN,
    });
    expect(letter?.messageAttributes).toEqual({
      failedState: { DataType: 'String', StringValue: 'RegisterAsset' },
      assetId: { DataType: 'String', StringValue: SAMPLE_REQUEST.assetId },
    });
    expect(notifications().map((notification) => notification.event)).toEqual(['video.failed']);

    // A dry run leaves the letter visible; the real replay redrives and deletes it.
    const options = {
      queueUrl: QUEUE.url,
      stateMachineArn: STATE_MACHINE_ARN,
      maxMessages: 10,
      hasTimeLeft: () => true,
    };
    const dry = await replayDeadLetters({ ...options, dryRun: true });
    expect(dry).toMatchObject({ received: 1, stoppedBy: 'queue-empty' });
    expect(queue.depth(QUEUE.name)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });

    const real = await replayDeadLetters({ ...options, dryRun: false });
    expect(real).toMatchObject({ received: 1 });
    expect(sfn).toHaveReceivedCommandTimes(RedriveExecutionCommand, 1);
    expect(queue.depth(QUEUE.name)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(queue.peek(QUEUE.name)).toEqual([]);
    sfn.restore();
  });

  it('keeps the catalogue, the letters and the notifications across a restart', async () => {
    await world().fail('InvalidateCache', 'CloudFront.AccessDeniedException').start();

    startServices();

    expect(await record()).toMatchObject({ status: { S: 'FAILED' } });
    expect(queue.depth(QUEUE.name).visible).toBe(1);
    expect(notifications().map((notification) => notification.event)).toEqual(['video.failed']);
  });
});
