import * as CloudFrontSdk from '@aws-sdk/client-cloudfront';
import * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import * as MediaConvertSdk from '@aws-sdk/client-mediaconvert';
import * as MediaPackageVodSdk from '@aws-sdk/client-mediapackage-vod';
import * as S3Sdk from '@aws-sdk/client-s3';
import * as SecretsManagerSdk from '@aws-sdk/client-secrets-manager';
import * as SnsSdk from '@aws-sdk/client-sns';
import * as SqsSdk from '@aws-sdk/client-sqs';
import type { AwsServiceName } from '../seam/local-service';

/**
 * How Step Functions names the error a service integration fails with. One source of truth for local Step Functions
 * (which raises these names) and for the test that checks every ErrorEquals of the ASL against them.
 *
 * - `aws-sdk:` integrations: `<Service>.<ErrorName>`, with `Exception` appended when the error name lacks it
 *   (S3's BucketAlreadyExists arrives as S3.BucketAlreadyExistsException).
 *   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 *   An error the service does not model arrives as `<Service>.<Service>Exception` (SecretsManager.SecretsManagerException
 *   for a ValidationException) and a request that never got an answer as `<Service>.SdkClientException`.
 * - Optimized integrations (`arn:aws:states:::dynamodb:updateItem`, `sns:publish`, `sqs:sendMessage`): the same
 *   `<Prefix>.<ErrorName>Exception` for a modelled error (DynamoDB.ConditionalCheckFailedException,
 *   DynamoDB.ResourceNotFoundException), `<Prefix>.Amazon<Service>Exception` for an unmodelled one
 *   (DynamoDB.AmazonDynamoDBException for a ValidationException, SQS.AmazonSQSException for MissingParameter) and
 *   `<Prefix>.SdkClientException` when the call could not be made. The optimized integration pages
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html, connect-sns.html, connect-sqs.html)
 *   list no error names; these are the names AWS reported in executions recorded against AWS (LocalStack's
 *   AWS-validated snapshots, tests/aws/services/stepfunctions/v2/error_handling/*.snapshot.json), and the
 *   `Exception` suffix of a modelled error follows the SDK exception class those names are taken from.
 */
export type IntegrationKind = 'optimized' | 'aws-sdk';

export interface IntegrationNaming {
  kind: IntegrationKind;
  /** The local service that answers the call. */
  service: AwsServiceName;
  /** What precedes the dot in the error name. */
  prefix: string;
  /** The name of an error the service does not model (after the dot). */
  unmodelled: string;
  /** The service name in the Cause text. */
  causeService: string;
}

/** An error a service integration can fail with, before the call itself: the request never got an answer. */
export const SDK_CLIENT_EXCEPTION = 'SdkClientException';

/** Optimized integrations by the service part of `arn:aws:states:::<service>:<action>`. */
export const OPTIMIZED_INTEGRATIONS: Record<string, IntegrationNaming> = {
  dynamodb: {
    kind: 'optimized',
    service: 'DynamoDB',
    prefix: 'DynamoDB',
    unmodelled: 'AmazonDynamoDBException',
    causeService: 'AmazonDynamoDBv2',
  },
  sns: {
    kind: 'optimized',
    service: 'SNS',
    prefix: 'SNS',
    unmodelled: 'AmazonSNSException',
    causeService: 'AmazonSNS',
  },
  sqs: {
    kind: 'optimized',
    service: 'SQS',
    prefix: 'SQS',
    unmodelled: 'AmazonSQSException',
    causeService: 'AmazonSQS',
  },
};

function sdkNaming(service: AwsServiceName, prefix: string): IntegrationNaming {
  return { kind: 'aws-sdk', service, prefix, unmodelled: `${prefix}Exception`, causeService: prefix };
}

/**
 * AWS SDK integrations by the service part of `arn:aws:states:::aws-sdk:<service>:<action>`. The prefix is the
 * service id without spaces, except DynamoDB's (`DynamoDb.ResourceNotFoundException`, as AWS reports it); only
 * services whose prefix was seen in an AWS execution or follows the service id unambiguously are listed.
 */
export const SDK_INTEGRATIONS: Record<string, IntegrationNaming> = {
  cloudfront: sdkNaming('CloudFront', 'CloudFront'),
  mediapackagevod: sdkNaming('MediaPackageVod', 'MediaPackageVod'),
  mediaconvert: sdkNaming('MediaConvert', 'MediaConvert'),
  s3: sdkNaming('S3', 'S3'),
  dynamodb: sdkNaming('DynamoDB', 'DynamoDb'),
  secretsmanager: sdkNaming('SecretsManager', 'SecretsManager'),
};

/** `Exception` appended when missing: the rule AWS states for aws-sdk integrations. */
export function withExceptionSuffix(name: string): string {
  return name.endsWith('Exception') ? name : `${name}Exception`;
}

/** The step a Task resource is, for the integrations local mode runs. */
export function integrationOf(resource: string): { naming: IntegrationNaming; action: string } | undefined {
  const optimized = /^arn:aws:states:::(\w+):(\w+)$/.exec(resource);
  const sdk = /^arn:aws:states:::aws-sdk:(\w+):(\w+)$/.exec(resource);
  const naming = sdk
    ? SDK_INTEGRATIONS[sdk[1] ?? '']
    : optimized
      ? OPTIMIZED_INTEGRATIONS[optimized[1] ?? '']
      : undefined;
  const action = (sdk ?? optimized)?.[2];
  return naming && action ? { naming, action } : undefined;
}

type SdkModule = Record<string, unknown>;

/** The SDK's exception classes of each service: the error shapes of its API model, service wide. */
const SDK_MODULES: Record<AwsServiceName, { module: SdkModule; base: string } | undefined> = {
  CloudFront: { module: CloudFrontSdk, base: 'CloudFrontServiceException' },
  DynamoDB: { module: DynamoDbSdk, base: 'DynamoDBServiceException' },
  MediaConvert: { module: MediaConvertSdk, base: 'MediaConvertServiceException' },
  MediaPackageVod: { module: MediaPackageVodSdk, base: 'MediaPackageVodServiceException' },
  S3: { module: S3Sdk, base: 'S3ServiceException' },
  SecretsManager: { module: SecretsManagerSdk, base: 'SecretsManagerServiceException' },
  SNS: { module: SnsSdk, base: 'SNSServiceException' },
  SQS: { module: SqsSdk, base: 'SQSServiceException' },
  SFN: undefined,
};

/** Whether `errorName` is an error shape of the service's API model (an exception class of its SDK). */
export function isModelledError(service: AwsServiceName, errorName: string): boolean {
  const sdk = SDK_MODULES[service];
  if (!sdk) return false;
  const candidate = sdk.module[errorName];
  const base = sdk.module[sdk.base];
  return (
    typeof candidate === 'function' &&
    typeof base === 'function' &&
    (candidate as { prototype: unknown }).prototype instanceof (base as new () => unknown)
  );
}

export interface ServiceFailure {
  /** The service's error name (the SDK's `error.name`), or undefined when the call got no answer. */
  errorName: string | undefined;
  message: string;
  statusCode: number;
  requestId: string;
}

/** Error and Cause of a Task whose integration call failed, spelled as Step Functions spells them. */
export function integrationFailure(
  naming: IntegrationNaming,
  failure: ServiceFailure,
): { error: string; cause: string } {
  const { errorName, message, statusCode, requestId } = failure;
  if (errorName === undefined) {
    return { error: `${naming.prefix}.${SDK_CLIENT_EXCEPTION}`, cause: `Unable to execute HTTP request: ${message}` };
  }
  const error = `${naming.prefix}.${
    isModelledError(naming.service, errorName) ? withExceptionSuffix(errorName) : naming.unmodelled
  }`;
  const cause =
    naming.kind === 'optimized'
      ? `${message} (Service: ${naming.causeService}; Status Code: ${String(statusCode)}; Error Code: ${errorName}; Request ID: ${requestId}; Proxy: null)`
      : `${message} (Service: ${naming.causeService}, Status Code: ${String(statusCode)}, Request ID: ${requestId})`;
  return { error, cause };
}
