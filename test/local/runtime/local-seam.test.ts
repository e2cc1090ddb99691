import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MediaPackageVodClient, DescribeAssetCommand } from '@aws-sdk/client-mediapackage-vod';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { LocalSeam, routeClientToLocal } from '../../../local/seam/local-seam';
import { LocalServiceError, type AwsServiceName, type LocalService } from '../../../local/seam/local-service';

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

function recordingService(service: AwsServiceName, answer: Record<string, unknown> = {}) {
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  const local: LocalService = {
    service,
    handle: (command, input) => {
      calls.push({ command, input });
      if (command === 'DescribeAsset') return Promise.reject(new LocalServiceError('NotFoundException', 'no asset'));
      return Promise.resolve(answer);
    },
  };
  return { local, calls };
}

describe('the local seam', () => {
  it('hands a document-client command to local DynamoDB marshalled, and unmarshalls the answer', async () => {
    const dynamo = recordingService('DynamoDB', { Attributes: { assetId: { S: 'a1' }, version: { N: '2' } } });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials }));
    routeClientToLocal(client, new LocalSeam().register(dynamo.local));

    const result = await client.send(
      new UpdateCommand({
        TableName: 't',
        Key: { assetId: 'a1' },
        UpdateExpression: 'ADD version :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );

    expect(dynamo.calls).toEqual([
      {
        command: 'UpdateItem',
        input: expect.objectContaining({
          Key: { assetId: { S: 'a1' } },
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      },
    ]);
    expect(result.Attributes).toEqual({ assetId: 'a1', version: 2 });
  });

  it('reports a local DynamoDB refusal under its AWS name through the JSON wire protocol', async () => {
    const refusing: LocalService = {
      service: 'DynamoDB',
      handle: () =>
        Promise.reject(new LocalServiceError('ConditionalCheckFailedException', 'The conditional request failed')),
    };
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ region: 'us-east-1', credentials, maxAttempts: 1 }),
    );
    routeClientToLocal(client, new LocalSeam().register(refusing));

    await expect(
      client.send(new UpdateCommand({ TableName: 't', Key: { assetId: 'a1' }, UpdateExpression: 'REMOVE x' })),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException', message: 'The conditional request failed' });
  });

  it('surfaces a local error under its AWS name, also for the MediaPackage VOD client and its own @smithy copy', async () => {
    const mediaPackage = recordingService('MediaPackageVod');
    const client = new MediaPackageVodClient({ region: 'us-east-1', credentials });
    routeClientToLocal(client, new LocalSeam().register(mediaPackage.local));

    await expect(client.send(new DescribeAssetCommand({ Id: 'x' }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    expect(mediaPackage.calls.map((call) => call.command)).toEqual(['DescribeAsset']);
  });

  it('leaves pre-signing alone: the URL is signed for the configured endpoint and nothing is sent', async () => {
    const s3 = recordingService('S3');
    const client = new S3Client({ region: 'us-east-1', credentials, endpoint: 'http://127.0.0.1:8450/s3' });
    routeClientToLocal(client, new LocalSeam().register(s3.local));

    const url = new URL(
      await getSignedUrl(client, new PutObjectCommand({ Bucket: 'source', Key: 'uploads/a/clip.mp4' }), {
        expiresIn: 60,
      }),
    );

    expect(url.origin + url.pathname).toBe('http://127.0.0.1:8450/s3/source/uploads/a/clip.mp4');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(s3.calls).toEqual([]);
  });
});
