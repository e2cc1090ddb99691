import type { SeamAnswer } from '../../local/seam/local-seam';
import type { AwsServiceName } from '../../local/seam/local-service';
import { loadModel, validateShape, type AwsModel, type ModelName } from './aws-model';

/**
 * Checks what a local service answers against AWS's API model of that service (botocore `service-2.json`): an
 * output must have the shape of the operation's output (members, types, enums, lengths, recursion into lists, maps
 * and structures), and an error must be one the operation declares, or one of the errors AWS documents as common to
 * every operation of that service, with the HTTP status AWS gives it. What passes here is what an SDK client could
 * have received from AWS; what fails names the answer AWS could never give.
 */

const MODELS: Record<AwsServiceName, ModelName> = {
  S3: 's3',
  DynamoDB: 'dynamodb',
  SFN: 'stepfunctions',
  SQS: 'sqs',
  SNS: 'sns',
  MediaConvert: 'mediaconvert',
  MediaPackageVod: 'mediapackage-vod',
  CloudFront: 'cloudfront',
  SecretsManager: 'secretsmanager',
};

/** Errors every AWS API can answer (name: HTTP status). */
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html (the same list on every service's "Common Errors" page)
const COMMON_ERRORS: Record<string, number> = {
  AccessDeniedException: 400,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  NotAuthorized: 400,
  OptInRequired: 403,
  RequestExpired: 400,
  ServiceUnavailable: 503,
  ThrottlingException: 400,
  ValidationError: 400,
};

/** The query-protocol errors SQS still lists as common (its JSON protocol keeps the names). */
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
const SQS_COMMON_ERRORS: Record<string, number> = {
  InvalidParameterCombination: 400,
  InvalidParameterValue: 400,
  InvalidQueryParameter: 400,
  MalformedQueryString: 404,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  MissingParameter: 400,
};

/** DynamoDB's documented error names, which its model does not declare per operation (ValidationException above all). */
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.MessagesAndCodes
const DYNAMODB_ERRORS: Record<string, number> = {
  AccessDeniedException: 400,
  ConditionalCheckFailedException: 400,
  IncompleteSignatureException: 400,
  ItemCollectionSizeLimitExceededException: 400,
  LimitExceededException: 400,
  MissingAuthenticationTokenException: 400,
  ProvisionedThroughputExceededException: 400,
  RequestLimitExceeded: 400,
  ResourceInUseException: 400,
  ResourceNotFoundException: 400,
  ThrottlingException: 400,
  UnrecognizedClientException: 400,
  ValidationException: 400,
  InternalServerError: 500,
  ServiceUnavailable: 503,
};

/**
 * S3's error codes (its model declares few per operation; S3 documents one list for all of them). `NotFound` is
 * how the SDK names a 404 to HEAD, whose answer has no body to carry a code.
 */
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
const S3_ERRORS: Record<string, number> = {
  AccessDenied: 403,
  BadDigest: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  ExpiredToken: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NoSuchVersion: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
  NotFound: 404,
};

/** CloudFront documents one error of CreateInvalidation that its model does not declare (409, as every *AlreadyExists). */
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_InvalidationBatch.html
const CLOUDFRONT_ERRORS: Record<string, number> = { InvalidationBatchAlreadyExists: 409 };

/**
 * Step Functions checks every request against the API's length constraints first (SendTaskSuccess `output`: at most
 * 262144 bytes) and answers a violation with its ValidationException shape, whichever operation it was.
 */
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html (Length Constraints)
const SFN_ERRORS: Record<string, number> = { ValidationException: 400 };

const SERVICE_ERRORS: Partial<Record<AwsServiceName, Record<string, number>>> = {
  SFN: SFN_ERRORS,
  S3: S3_ERRORS,
  CloudFront: CLOUDFRONT_ERRORS,
  DynamoDB: DYNAMODB_ERRORS,
  SQS: SQS_COMMON_ERRORS,
};

/**
 * Where the SDK v3 hands a member over in another type than botocore's model says: its code is generated from the
 * Smithy model, which types S3's part-number markers as strings (`ListPartsOutput.NextPartNumberMarker?: string`).
 */
const SDK_SHAPE_TYPES: Partial<Record<AwsServiceName, Record<string, string>>> = {
  S3: { PartNumberMarker: 'string', NextPartNumberMarker: 'string' },
};

const models = new Map<AwsServiceName, AwsModel>();

export function modelOf(service: AwsServiceName): AwsModel {
  const cached = models.get(service);
  if (cached) return cached;
  const model = loadModel(MODELS[service]);
  const shapes = { ...model.shapes };
  for (const [name, type] of Object.entries(SDK_SHAPE_TYPES[service] ?? {})) shapes[name] = { type };
  const adapted = { ...model, shapes };
  models.set(service, adapted);
  return adapted;
}

function operation(model: AwsModel, service: AwsServiceName, command: string) {
  const found = model.operations[command];
  if (!found) throw new Error(`${command} is not an operation of ${service} in its API model`);
  return found;
}

/** Problems with an output of `service`'s `command`, against the operation's output shape; empty when it conforms. */
export function outputProblems(service: AwsServiceName, command: string, output: Record<string, unknown>): string[] {
  const model = modelOf(service);
  const { output: shape } = operation(model, service, command);
  const answered = Object.fromEntries(Object.entries(output).filter(([key]) => key !== '$metadata'));
  const at = `${service}.${command} output`;
  if (!shape) {
    return Object.keys(answered).length === 0
      ? []
      : [`${at}: the operation has no output, got ${Object.keys(answered).join(', ')}`];
  }
  return validateShape(model, shape.shape, answered, at);
}

/**
 * Problems with a request to `service`'s `command`, against the operation's input shape: what the service would
 * refuse before looking at it (unknown members, lengths, enums, required members).
 */
export function requestProblems(service: AwsServiceName, command: string, input: Record<string, unknown>): string[] {
  const model = modelOf(service);
  const { input: shape } = operation(model, service, command);
  const at = `${service}.${command} input`;
  if (!shape) return [];
  return validateShape(model, shape.shape, input, at);
}

/** The errors `service`'s `command` can answer, each with its HTTP status when the model or AWS's page gives one. */
export function declaredErrors(service: AwsServiceName, command: string): Map<string, number | undefined> {
  const model = modelOf(service);
  const declared = new Map<string, number | undefined>();
  for (const [name, status] of Object.entries({ ...COMMON_ERRORS, ...SERVICE_ERRORS[service] })) {
    declared.set(name, status);
  }
  for (const { shape } of operation(model, service, command).errors ?? []) {
    declared.set(shape, model.shapes[shape]?.error?.httpStatusCode);
  }
  return declared;
}

function errorFields(error: unknown): { name: string; status: number | undefined } {
  if (!(error instanceof Error)) return { name: `a thrown ${typeof error}`, status: undefined };
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return { name: error.name, status: typeof status === 'number' ? status : undefined };
}

/** Problems with an error `service`'s `command` threw: a name the operation cannot answer, or the wrong status. */
export function errorProblems(service: AwsServiceName, command: string, error: unknown): string[] {
  const { name, status } = errorFields(error);
  const declared = declaredErrors(service, command);
  const at = `${service}.${command} error ${name}`;
  if (!declared.has(name)) {
    return [
      `${at}: not an error ${command} declares, nor one common to ${service} (${[...declared.keys()].join(', ')})`,
    ];
  }
  const expected = declared.get(name);
  if (expected !== undefined && status !== undefined && status !== expected) {
    return [`${at}: HTTP status ${String(status)}, AWS answers ${String(expected)}`];
  }
  return [];
}

export function answerProblems(answer: SeamAnswer): string[] {
  return 'output' in answer
    ? outputProblems(answer.service, answer.command, answer.output)
    : errorProblems(answer.service, answer.command, answer.error);
}

/** Records every answer the local seams give while it is installed, for a test to check at the end. */
export class AnswerRecorder {
  readonly answers: SeamAnswer[] = [];

  readonly record = (answer: SeamAnswer): void => {
    this.answers.push(answer);
  };

  problems(): string[] {
    return this.answers.flatMap(answerProblems);
  }

  /** Problems with the requests the callers sent (the code under test, not the local services). */
  requestProblems(): string[] {
    return this.answers.flatMap((answer) => requestProblems(answer.service, answer.command, answer.input));
  }

  /** `service.command` of each answer, outputs and errors apart (`S3.PutObject`, `S3.HeadObject!NotFound`). */
  summary(): string[] {
    return [
      ...new Set(
        this.answers.map((answer) =>
          'output' in answer
            ? `${answer.service}.${answer.command}`
            : `${answer.service}.${answer.command}!${errorFields(answer.error).name}`,
        ),
      ),
    ].sort();
  }
}
