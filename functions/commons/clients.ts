import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { MediaPackageVodClient } from '@aws-sdk/client-mediapackage-vod';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * SDK clients, built once per container. The SDK retries throttling itself (standard mode, 3 attempts); the state
 * machine's Retry handles what is left. Local mode swaps what these clients talk to, never this code.
 */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const mediaConvert = new MediaConvertClient({});
export const mediaPackageVod = new MediaPackageVodClient({});
export const stepFunctions = new SFNClient({});
export const sqs = new SQSClient({});
