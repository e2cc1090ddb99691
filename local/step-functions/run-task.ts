import type { AwsServiceName } from '../seam/local-service';
import type { Json, JsonObject } from './load-definition';
import { namedError } from './named-error';
import type { TaskTokens } from './task-tokens';

export interface TaskDependencies {
  /** Invokes a function in-process as Lambda would; a function error rejects with Lambda's error envelope. */
  invoke(functionArn: string, payload: unknown): Promise<unknown>;
  /** The seam: a service command answered by its local implementation. */
  call(service: AwsServiceName, command: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface TaskContext {
  executionArn: string;
  state: JsonObject;
  tokens: TaskTokens;
  placeholder: string;
}

/** Optimized integrations (`arn:aws:states:::dynamodb:updateItem`) and their error-name prefixes. */
const OPTIMIZED: Record<string, AwsServiceName> = { dynamodb: 'DynamoDB', sns: 'SNS', sqs: 'SQS' };
/** AWS SDK integrations (`arn:aws:states:::aws-sdk:cloudfront:createInvalidation`). */
const SDK_SERVICES: Record<string, AwsServiceName> = {
  cloudfront: 'CloudFront',
  mediapackagevod: 'MediaPackageVod',
  mediaconvert: 'MediaConvert',
  s3: 'S3',
  dynamodb: 'DynamoDB',
  sns: 'SNS',
  sqs: 'SQS',
  secretsmanager: 'SecretsManager',
};

function pascal(action: string): string {
  return action.charAt(0).toUpperCase() + action.slice(1);
}

function replaceToken(value: Json, placeholder: string, token: string): Json {
  if (value === placeholder) return token;
  if (Array.isArray(value)) return value.map((item) => replaceToken(item, placeholder, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceToken(item, placeholder, token)]),
    );
  }
  return value;
}

function withoutMetadata(output: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(output).filter(([key]) => key !== '$metadata'));
}

/**
 * The optimized SNS and SQS integrations accept a JSON object as Message / MessageBody and send it serialised,
 * which the SDK's own request would not: Step Functions does that step, so it happens here.
 */
function serialiseMessage(service: AwsServiceName, params: Json): Json {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return params;
  const field = service === 'SNS' ? 'Message' : service === 'SQS' ? 'MessageBody' : undefined;
  const value = field === undefined ? undefined : params[field];
  if (field === undefined || value === undefined || typeof value === 'string') return params;
  return { ...params, [field]: JSON.stringify(value) };
}

async function callService(
  deps: TaskDependencies,
  service: AwsServiceName,
  action: string,
  params: Json,
): Promise<Record<string, unknown>> {
  try {
    return withoutMetadata(await deps.call(service, pascal(action), params as Record<string, unknown>));
  } catch (error) {
    // Step Functions reports a service's error as `<Service>.<ErrorName>` (DynamoDB.ConditionalCheckFailedException).
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    throw namedError(`${service}.${name}`, message);
  }
}

/** Runs one Task state's resource with its resolved Parameters, as Step Functions would. */
export async function runTask(context: TaskContext, params: Json, deps: TaskDependencies): Promise<unknown> {
  const resource = typeof context.state.Resource === 'string' ? context.state.Resource : '';
  if (resource.startsWith('arn:aws:lambda:')) return deps.invoke(resource, params);

  if (resource === 'arn:aws:states:::lambda:invoke') {
    const { FunctionName, Payload } = params as { FunctionName: string; Payload: unknown };
    return { StatusCode: 200, Payload: await deps.invoke(FunctionName, Payload) };
  }

  if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
    const heartbeat = context.state.HeartbeatSeconds;
    const { token, settled } = context.tokens.wait(
      context.executionArn,
      typeof heartbeat === 'number' ? heartbeat : undefined,
    );
    const { FunctionName, Payload } = replaceToken(params, context.placeholder, token) as {
      FunctionName: string;
      Payload: unknown;
    };
    try {
      await deps.invoke(FunctionName, Payload);
    } catch (error) {
      context.tokens.abandon(token);
      throw error;
    }
    return settled;
  }

  const optimized = /^arn:aws:states:::(dynamodb|sns|sqs):(\w+)$/.exec(resource);
  if (optimized?.[1] && optimized[2]) {
    const service = OPTIMIZED[optimized[1]];
    if (service) return callService(deps, service, optimized[2], serialiseMessage(service, params));
  }
  const sdk = /^arn:aws:states:::aws-sdk:(\w+):(\w+)$/.exec(resource);
  if (sdk?.[1] && sdk[2]) {
    const service = SDK_SERVICES[sdk[1]];
    if (service) return callService(deps, service, sdk[2], params);
  }
  throw namedError('States.Runtime', `local mode cannot run resource ${resource}`);
}
