import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { recordTranscodeProgress } from '../../../functions/commons/catalogue-progress';
import { dynamo } from '../../../functions/commons/clients/dynamo';
import type { TranscodeJobRecord } from '../../../functions/commons/transcode-job-record';
import { storeTaskToken } from '../../../functions/submit-transcode/store-task-token';
import { findJobRecord, forgetJobRecord } from '../../../functions/transcode-callback/transcode-job-records';
import { LocalDynamoDb } from '../../../local/services/dynamodb/local-dynamodb';
import { CATALOGUE_TABLE, TRANSCODE_JOBS_TABLE, temporaryDataDir, wire } from './local-data-wiring';

// The functions' own document client, answered by one local DynamoDB for the whole file.
const { dataDir, cleanup } = temporaryDataDir();
const local = new LocalDynamoDb({ dataDir, tables: [CATALOGUE_TABLE, TRANSCODE_JOBS_TABLE] });
wire(dynamo, local);
afterAll(() => {
  cleanup();
});

function jobRecord(correlationId: string, expiresAt: number): TranscodeJobRecord {
  return {
    correlationId,
    taskToken: `token-${correlationId}`,
    assetId: 'a1',
    publishId: 'a1-p1',
    destinationPrefix: 's3://media/assets/a1/a1-p1/',
    renditions: [{ name: '720p', width: 1280, height: 720, maxBitrate: 3_000_000, codec: 'h264' }],
    trickplay: { intervalSeconds: 6, width: 320, height: 180 },
    templateVersion: '3',
    expiresAt,
  };
}

describe('functions against local DynamoDB', () => {
  it('recordTranscodeProgress writes the owner publish and refuses another one', async () => {
    await dynamo.send(
      new PutCommand({
        TableName: CATALOGUE_TABLE.name,
        Item: { assetId: 'a1', publishId: 'a1-p1', status: 'INGESTED' },
      }),
    );
    const update = { table: CATALOGUE_TABLE.name, assetId: 'a1', jobId: 'job-1', progress: 40 };

    await expect(recordTranscodeProgress({ ...update, publishId: 'a1-p1' })).resolves.toBe(true);
    await expect(recordTranscodeProgress({ ...update, publishId: 'a1-p0', progress: 90 })).resolves.toBe(false);

    const { Item } = await dynamo.send(new GetCommand({ TableName: CATALOGUE_TABLE.name, Key: { assetId: 'a1' } }));
    expect(Item).toMatchObject({ status: 'TRANSCODING', job: { id: 'job-1', progress: 40 }, publishId: 'a1-p1' });
  });

  it('recordTranscodeProgress on a record that does not exist fails its condition, creating nothing', async () => {
    await expect(
      recordTranscodeProgress({
        table: CATALOGUE_TABLE.name,
        assetId: 'nobody',
        publishId: 'p',
        jobId: 'j',
        progress: 1,
      }),
    ).resolves.toBe(false);

    const { Item } = await dynamo.send(new GetCommand({ TableName: CATALOGUE_TABLE.name, Key: { assetId: 'nobody' } }));
    expect(Item).toBeUndefined();
  });

  it('stores, finds and forgets a task token record', async () => {
    const record = jobRecord('c1', Math.floor(Date.now() / 1000) + 3600);

    await storeTaskToken(TRANSCODE_JOBS_TABLE.name, record);
    await expect(findJobRecord(TRANSCODE_JOBS_TABLE.name, 'c1')).resolves.toEqual(record);
    await forgetJobRecord(TRANSCODE_JOBS_TABLE.name, 'c1');
    await expect(findJobRecord(TRANSCODE_JOBS_TABLE.name, 'c1')).resolves.toBeUndefined();
  });

  it('does not return a record whose TTL has passed', async () => {
    await storeTaskToken(TRANSCODE_JOBS_TABLE.name, jobRecord('expired', Math.floor(Date.now() / 1000) - 1));

    await expect(findJobRecord(TRANSCODE_JOBS_TABLE.name, 'expired')).resolves.toBeUndefined();
  });
});
