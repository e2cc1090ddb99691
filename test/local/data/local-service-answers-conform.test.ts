import { LocalSeam, observeSeamAnswers } from '../../../local/seam/local-seam';
import type { AwsServiceName, CommandInput } from '../../../local/seam/local-service';
import { LocalCloudFront } from '../../../local/services/cloudfront/local-cloudfront';
import { LocalDynamoDb } from '../../../local/services/dynamodb/local-dynamodb';
import { LocalSecretsManager } from '../../../local/services/secrets-manager/local-secrets-manager';
import { LocalSns } from '../../../local/services/sns/local-sns';
import { LocalSqs } from '../../../local/services/sqs/local-sqs';
import {
  AnswerRecorder,
  answerProblems,
  errorProblems,
  outputProblems,
  requestProblems,
} from '../../support/aws-model-conformance';
import { BUCKETS, MEDIA_BUCKET, createS3World, type S3World } from '../s3/local-s3-world';
import { CATALOGUE_TABLE, temporaryDataDir } from './local-data-wiring';

/**
 * Each local service the stack's code calls, driven through the seam over the operations it implements, answers
 * and refusals alike; every answer is checked against AWS's API model of the service.
 */
const MiB = 1024 * 1024;
const QUEUE = {
  name: 'q',
  url: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
  arn: 'arn:aws:sqs:us-east-1:123456789012:q',
};
const TOPIC = { name: 't', arn: 'arn:aws:sns:us-east-1:123456789012:t' };
const DISTRIBUTION = 'E2EXAMPLE12345';

let recorder: AnswerRecorder;
let stopObserving: () => void = () => undefined;
let s3World: S3World;
let cleanup: () => void;
let seam: LocalSeam;

beforeAll(async () => {
  s3World = await createS3World();
  const data = temporaryDataDir();
  cleanup = data.cleanup;
  seam = new LocalSeam().register(
    s3World.s3,
    new LocalDynamoDb({ dataDir: data.dataDir, tables: [CATALOGUE_TABLE] }),
    new LocalSqs({ dataDir: data.dataDir, queues: [QUEUE] }),
    new LocalSns({ dataDir: data.dataDir, topics: [TOPIC] }),
    new LocalSecretsManager({ secrets: [{ name: 'signing-key', secretString: 'pem' }] }),
    new LocalCloudFront({ distributionId: DISTRIBUTION, purge: (paths) => paths.length }),
  );
});

beforeEach(() => {
  recorder = new AnswerRecorder();
  stopObserving = observeSeamAnswers(recorder.record);
});

afterEach(() => {
  stopObserving();
});

afterAll(async () => {
  cleanup();
  await s3World.dispose();
});

const call = (service: AwsServiceName, command: string, input: CommandInput) => seam.call(service, command, input);

/** Calls that must be refused: the refusal itself is what the recorder checks. */
async function refused(service: AwsServiceName, command: string, input: CommandInput): Promise<string> {
  try {
    await call(service, command, input);
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
  throw new Error(`${service}.${command} was expected to be refused`);
}

/** Every answer recorded in this test, outputs and refusals, has the shape AWS's model gives it. */
function expectConformingAnswers(): void {
  expect(recorder.answers.length).toBeGreaterThan(5);
  expect(recorder.problems()).toEqual([]);
}

describe('the conformance checker', () => {
  it('names an output member the operation does not have, a wrong type and an enum outside the model', () => {
    expect(outputProblems('SQS', 'SendMessage', { MessageId: 'm', MD5OfMessageBody: 3, Extra: 'x' })).toEqual([
      'SQS.SendMessage output.MD5OfMessageBody: expected a string, got number 3',
      'SQS.SendMessage output.Extra: not a member of SendMessageResult',
    ]);
    expect(outputProblems('SQS', 'GetQueueAttributes', { Attributes: { Colour: 'red' } })).toEqual([
      expect.stringMatching(
        /^SQS.GetQueueAttributes output.Attributes\["Colour"\] \(key\): "Colour" is not one of All, Policy/,
      ),
    ]);
    expect(
      outputProblems('CloudFront', 'GetInvalidation', {
        Invalidation: {
          Id: 'I1',
          Status: 'Completed',
          CreateTime: new Date(),
          InvalidationBatch: { CallerReference: 'r' },
        },
      }),
    ).toEqual([
      'CloudFront.GetInvalidation output.Invalidation.InvalidationBatch.Paths: required by InvalidationBatch, missing',
    ]);
  });

  it('names what a request lacks or carries beyond the operation input', () => {
    expect(requestProblems('SQS', 'SendMessage', { QueueUrl: 'q', DelaySeconds: 'soon' })).toEqual([
      'SQS.SendMessage input.MessageBody: required by SendMessageRequest, missing',
      'SQS.SendMessage input.DelaySeconds: expected a number, got string "soon"',
    ]);
    expect(
      requestProblems('CloudFront', 'CreateInvalidation', { DistributionId: 'E1', InvalidationBatch: {} }),
    ).toEqual([
      'CloudFront.CreateInvalidation input.InvalidationBatch.Paths: required by InvalidationBatch, missing',
      'CloudFront.CreateInvalidation input.InvalidationBatch.CallerReference: required by InvalidationBatch, missing',
    ]);
  });

  it('names an error the operation cannot answer, and a declared error with the wrong HTTP status', () => {
    const made = (name: string, status: number) =>
      Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: status } });
    expect(errorProblems('CloudFront', 'CreateInvalidation', made('InvalidationAlreadyDone', 400))).toEqual([
      expect.stringMatching(/^CloudFront.CreateInvalidation error InvalidationAlreadyDone: not an error/),
    ]);
    expect(errorProblems('S3', 'GetObject', made('NoSuchKey', 400))).toEqual([
      'S3.GetObject error NoSuchKey: HTTP status 400, AWS answers 404',
    ]);
    expect(
      answerProblems({ service: 'SNS', command: 'Publish', input: {}, error: made('UnsupportedOperation', 400) }),
    ).toHaveLength(1);
  });
});

describe('every answer and refusal of the local services conforms to AWS API models', () => {
  it('S3: objects, copies, listings and multipart uploads, and their refusals', async () => {
    const bucket = MEDIA_BUCKET;
    await call('S3', 'PutObject', {
      Bucket: bucket,
      Key: 'a/one.txt',
      Body: 'one',
      ContentType: 'text/plain',
      Metadata: { k: 'v' },
    });
    await call('S3', 'HeadObject', { Bucket: bucket, Key: 'a/one.txt' });
    await call('S3', 'GetObject', { Bucket: bucket, Key: 'a/one.txt', Range: 'bytes=0-1' });
    await call('S3', 'CopyObject', { Bucket: bucket, Key: 'a/two.txt', CopySource: `${bucket}/a/one.txt` });
    await call('S3', 'ListObjectsV2', { Bucket: bucket, Prefix: 'a/', Delimiter: '/' });
    const versioned = BUCKETS.find((candidate) => candidate.versioned === true)?.name ?? '';
    await call('S3', 'PutObject', { Bucket: versioned, Key: 'v.txt', Body: 'v' });
    const { UploadId } = await call('S3', 'CreateMultipartUpload', { Bucket: bucket, Key: 'big.bin' });
    const part = (PartNumber: number, Body: Buffer) =>
      call('S3', 'UploadPart', { Bucket: bucket, Key: 'big.bin', UploadId, PartNumber, Body });
    const first = await part(1, Buffer.alloc(5 * MiB, 1));
    const second = await part(2, Buffer.from('tail'));
    await call('S3', 'ListParts', { Bucket: bucket, Key: 'big.bin', UploadId });
    expect(
      await refused('S3', 'CompleteMultipartUpload', {
        Bucket: bucket,
        Key: 'big.bin',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 2, ETag: second.ETag },
            { PartNumber: 1, ETag: first.ETag },
          ],
        },
      }),
    ).toBe('InvalidPartOrder');
    await call('S3', 'CompleteMultipartUpload', {
      Bucket: bucket,
      Key: 'big.bin',
      UploadId,
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: first.ETag },
          { PartNumber: 2, ETag: second.ETag },
        ],
      },
    });
    const { UploadId: aborted } = await call('S3', 'CreateMultipartUpload', { Bucket: bucket, Key: 'gone.bin' });
    await call('S3', 'AbortMultipartUpload', { Bucket: bucket, Key: 'gone.bin', UploadId: aborted });
    await call('S3', 'DeleteObject', { Bucket: bucket, Key: 'a/two.txt' });

    expect(await refused('S3', 'GetObject', { Bucket: bucket, Key: 'missing' })).toBe('NoSuchKey');
    expect(await refused('S3', 'HeadObject', { Bucket: bucket, Key: 'missing' })).toBe('NotFound');
    expect(await refused('S3', 'ListObjectsV2', { Bucket: 'no-such-bucket' })).toBe('NoSuchBucket');
    expect(await refused('S3', 'GetObject', { Bucket: bucket, Key: 'a/one.txt', Range: 'bytes=9-' })).toBe(
      'InvalidRange',
    );
    expect(await refused('S3', 'AbortMultipartUpload', { Bucket: bucket, Key: 'gone.bin', UploadId: aborted })).toBe(
      'NoSuchUpload',
    );
    expect(await refused('S3', 'PutObject', { Bucket: bucket, Key: 'k'.repeat(1025), Body: 'x' })).toBe(
      'KeyTooLongError',
    );
    expectConformingAnswers();
  });

  it('DynamoDB: writes, reads, batches and transactions, and their refusals', async () => {
    const TableName = CATALOGUE_TABLE.name;
    const item = { assetId: { S: 'a1' }, status: { S: 'READY' }, updatedAt: { S: '2026-12-01' }, n: { N: '1' } };
    await call('DynamoDB', 'PutItem', { TableName, Item: item, ReturnValues: 'ALL_OLD' });
    await call('DynamoDB', 'GetItem', { TableName, Key: { assetId: { S: 'a1' } } });
    await call('DynamoDB', 'UpdateItem', {
      TableName,
      Key: { assetId: { S: 'a1' } },
      UpdateExpression: 'ADD n :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
      ReturnValues: 'ALL_NEW',
    });
    await call('DynamoDB', 'Query', {
      TableName,
      IndexName: 'byStatus',
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: 'READY' } },
    });
    await call('DynamoDB', 'Scan', { TableName, Limit: 1 });
    await call('DynamoDB', 'BatchWriteItem', {
      RequestItems: { [TableName]: [{ PutRequest: { Item: { assetId: { S: 'a2' } } } }] },
    });
    await call('DynamoDB', 'BatchGetItem', {
      RequestItems: { [TableName]: { Keys: [{ assetId: { S: 'a1' } }, { assetId: { S: 'a2' } }] } },
    });
    await call('DynamoDB', 'TransactWriteItems', {
      TransactItems: [{ Delete: { TableName, Key: { assetId: { S: 'a2' } } } }],
    });
    await call('DynamoDB', 'DeleteItem', { TableName, Key: { assetId: { S: 'a1' } }, ReturnValues: 'ALL_OLD' });

    expect(
      await refused('DynamoDB', 'PutItem', {
        TableName,
        Item: { assetId: { S: 'a3' } },
        ConditionExpression: 'attribute_exists(assetId)',
      }),
    ).toBe('ConditionalCheckFailedException');
    expect(
      await refused('DynamoDB', 'TransactWriteItems', {
        TransactItems: [
          { ConditionCheck: { TableName, Key: { assetId: { S: 'a3' } }, ConditionExpression: 'attribute_exists(x)' } },
        ],
      }),
    ).toBe('TransactionCanceledException');
    expect(await refused('DynamoDB', 'GetItem', { TableName: 'nope', Key: { assetId: { S: 'a1' } } })).toBe(
      'ResourceNotFoundException',
    );
    expect(await refused('DynamoDB', 'GetItem', { TableName, Key: { other: { S: 'a1' } } })).toBe(
      'ValidationException',
    );
    expectConformingAnswers();
  });

  it('SQS: sending, receiving, visibility, deleting and attributes, and their refusals', async () => {
    const QueueUrl = QUEUE.url;
    await call('SQS', 'GetQueueUrl', { QueueName: QUEUE.name });
    await call('SQS', 'SendMessage', {
      QueueUrl,
      MessageBody: '{"a":1}',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' } },
    });
    await call('SQS', 'SendMessageBatch', { QueueUrl, Entries: [{ Id: 'e1', MessageBody: 'b' }] });
    const received = await call('SQS', 'ReceiveMessage', {
      QueueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    });
    const handles = (received.Messages as { ReceiptHandle: string }[]).map((message) => message.ReceiptHandle);
    await call('SQS', 'ChangeMessageVisibility', { QueueUrl, ReceiptHandle: handles[0], VisibilityTimeout: 0 });
    await call('SQS', 'ChangeMessageVisibilityBatch', {
      QueueUrl,
      Entries: [{ Id: 'c1', ReceiptHandle: handles[1], VisibilityTimeout: 5 }],
    });
    await call('SQS', 'DeleteMessageBatch', { QueueUrl, Entries: [{ Id: 'd1', ReceiptHandle: handles[1] }] });
    await call('SQS', 'DeleteMessage', { QueueUrl, ReceiptHandle: handles[1] });
    await call('SQS', 'GetQueueAttributes', { QueueUrl, AttributeNames: ['All'] });
    await call('SQS', 'PurgeQueue', { QueueUrl });

    expect(await refused('SQS', 'SendMessage', { QueueUrl: `${QueueUrl}-nope`, MessageBody: 'x' })).toBe(
      'QueueDoesNotExist',
    );
    expect(await refused('SQS', 'SendMessage', { QueueUrl, MessageBody: '\u0000' })).toBe('InvalidMessageContents');
    expect(await refused('SQS', 'DeleteMessage', { QueueUrl, ReceiptHandle: 'not-a-handle' })).toBe(
      'ReceiptHandleIsInvalid',
    );
    expectConformingAnswers();
  });

  it('SNS, Secrets Manager and CloudFront: the calls the stack makes, and their refusals', async () => {
    await call('SNS', 'Publish', {
      TopicArn: TOPIC.arn,
      Subject: 'READY',
      Message: '{}',
      MessageAttributes: { event: { DataType: 'String', StringValue: 'READY' } },
    });
    expect(await refused('SNS', 'Publish', { TopicArn: `${TOPIC.arn}-nope`, Message: 'x' })).toBe('NotFoundException');
    expect(await refused('SNS', 'Publish', { TopicArn: TOPIC.arn, Message: 'x'.repeat(262_145) })).toBe(
      'InvalidParameterException',
    );

    await call('SecretsManager', 'GetSecretValue', { SecretId: 'signing-key' });
    expect(await refused('SecretsManager', 'GetSecretValue', { SecretId: 'nope' })).toBe('ResourceNotFoundException');

    const batch = { CallerReference: 'publish-a1', Paths: { Quantity: 1, Items: ['/assets/a1/*'] } };
    const created = await call('CloudFront', 'CreateInvalidation', {
      DistributionId: DISTRIBUTION,
      InvalidationBatch: batch,
    });
    const id = (created.Invalidation as { Id: string }).Id;
    await call('CloudFront', 'GetInvalidation', { DistributionId: DISTRIBUTION, Id: id });
    expect(await refused('CloudFront', 'GetInvalidation', { DistributionId: DISTRIBUTION, Id: 'INOPE' })).toBe(
      'NoSuchInvalidation',
    );
    expect(
      await refused('CloudFront', 'CreateInvalidation', { DistributionId: 'ENOPE', InvalidationBatch: batch }),
    ).toBe('NoSuchDistribution');
    expect(
      await refused('CloudFront', 'CreateInvalidation', {
        DistributionId: DISTRIBUTION,
        InvalidationBatch: { CallerReference: 'r2', Paths: { Quantity: 2, Items: ['/a'] } },
      }),
    ).toBe('InconsistentQuantities');
    expect(
      await refused('CloudFront', 'CreateInvalidation', {
        DistributionId: DISTRIBUTION,
        InvalidationBatch: { ...batch, Paths: { Quantity: 1, Items: ['/assets/a2/*'] } },
      }),
    ).toBe('InvalidationBatchAlreadyExists');
    expectConformingAnswers();
  });
});
