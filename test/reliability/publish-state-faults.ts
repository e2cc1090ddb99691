import { readRawDefinition, type Json } from '../support/publish-video-definition';
import type { AwsServiceName } from '../../local/seam/local-service';
import type { SeamCall, ServiceFault } from '../support/seam-faults';

/**
 * For each state of publish-video's happy path: the one AWS call that does the state's work, and the errors its
 * service answers in an outage, with the names and HTTP statuses of the service's API model (test/aws-models/; the
 * e2e conformance setup checks each injected answer against them too).
 *
 * - `transient`: a name the state's Retry lists (directly, or as the function's error for a Lambda state).
 * - `exhausted`: a server-side failure answered to every attempt.
 * - `via`: `function` when a Lambda function makes the call through an SDK client (which retries throttling and
 *   5xx answers itself before the function fails), `integration` when Step Functions makes it (one call per attempt;
 *   the error reaches the Retry as `<Service>.<Name>`).
 */
export interface StateFault {
  state: string;
  via: 'function' | 'integration';
  service: AwsServiceName;
  matches: (call: SeamCall) => boolean;
  transient: ServiceFault;
  exhausted: ServiceFault;
}

const states = readRawDefinition().States as Record<string, { Parameters?: { UpdateExpression?: Json } }>;

/** The state's own UpdateItem, told apart from every other write to the table by its UpdateExpression. */
function updateOf(state: string): (call: SeamCall) => boolean {
  const expression = states[state]?.Parameters?.UpdateExpression;
  if (typeof expression !== 'string') throw new Error(`${state} has no UpdateExpression in the ASL`);
  return (call) =>
    call.service === 'DynamoDB' && call.command === 'UpdateItem' && call.input.UpdateExpression === expression;
}

// https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html (TooManyRequestsException 429, InternalServerErrorException 500)
const MEDIACONVERT = {
  transient: { name: 'TooManyRequestsException', status: 429 },
  exhausted: { name: 'InternalServerErrorException', status: 500 },
};
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.MessagesAndCodes
const DYNAMODB = {
  transient: { name: 'ProvisionedThroughputExceededException', status: 400 },
  exhausted: { name: 'InternalServerError', status: 500 },
};

export const PUBLISH_STATE_FAULTS: StateFault[] = [
  {
    state: 'ProbeSource',
    via: 'function',
    service: 'MediaConvert',
    matches: (call) => call.service === 'MediaConvert' && call.command === 'Probe',
    ...MEDIACONVERT,
  },
  { state: 'RecordAsset', via: 'integration', service: 'DynamoDB', matches: updateOf('RecordAsset'), ...DYNAMODB },
  {
    state: 'Transcode',
    via: 'function',
    service: 'MediaConvert',
    matches: (call) => call.service === 'MediaConvert' && call.command === 'CreateJob',
    ...MEDIACONVERT,
  },
  {
    state: 'RegisterAsset',
    via: 'function',
    service: 'MediaPackageVod',
    matches: (call) => call.service === 'MediaPackageVod' && call.command === 'CreateAsset',
    // https://docs.aws.amazon.com/mediapackage-vod/latest/apireference/assets.html (TooManyRequestsException 429, ServiceUnavailableException 503)
    transient: { name: 'TooManyRequestsException', status: 429 },
    exhausted: { name: 'ServiceUnavailableException', status: 503 },
  },
  {
    state: 'InvalidateCache',
    via: 'integration',
    service: 'CloudFront',
    matches: (call) => call.service === 'CloudFront' && call.command === 'CreateInvalidation',
    // https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html (TooManyInvalidationsInProgress 400)
    transient: { name: 'TooManyInvalidationsInProgress', status: 400 },
    // https://docs.aws.amazon.com/cloudfront/latest/APIReference/CommonErrors.html (ServiceUnavailable 503)
    exhausted: { name: 'ServiceUnavailable', status: 503 },
  },
  { state: 'MarkPublished', via: 'integration', service: 'DynamoDB', matches: updateOf('MarkPublished'), ...DYNAMODB },
  {
    state: 'NotifyPublished',
    via: 'integration',
    service: 'SNS',
    // Only the announcement of READY: the failure path's own notification must get through.
    matches: (call) =>
      call.service === 'SNS' &&
      call.command === 'Publish' &&
      JSON.stringify(call.input.MessageAttributes ?? {}).includes('"video.published"'),
    // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (KMSThrottlingException 400, InternalError 500)
    transient: { name: 'KMSThrottlingException', status: 400 },
    exhausted: { name: 'InternalErrorException', status: 500 },
  },
];

/** MaxAttempts of the first retrier of `state` whose ErrorEquals names `error` (undefined: the error is not retried). */
export function retryBudget(state: string, error: string): number | undefined {
  const retriers = (
    readRawDefinition().States as Record<string, { Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[] }>
  )[state]?.Retry;
  const retrier = retriers?.find((candidate) => candidate.ErrorEquals.includes(error));
  return retrier === undefined ? undefined : (retrier.MaxAttempts ?? 3);
}
