import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { TRANSCODE_FAILURE } from '../../functions/commons/transcode-failures';
import {
  integrationOf,
  SDK_CLIENT_EXCEPTION,
  withExceptionSuffix,
} from '../../local/step-functions/integration-error-names';
import { modelDirectories } from '../support/aws-model';

/**
 * The error names that can reach a Task state of the ASL, derived from the Task's Resource:
 * - every Task: the States.* names Step Functions raises for a Task
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html); States.HeartbeatTimeout only
 *   where HeartbeatSeconds is set;
 * - a service integration: the operation's error shapes from AWS's API model, spelled for the integration kind
 *   (integration-error-names.ts), plus the unmodelled and client-side names of that kind;
 * - a Lambda function: Lambda's documented names (`Lambda.<Invoke error>` and the transient ones of
 *   https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html), and what the function can
 *   throw by name: the named error classes in the modules its handler reaches, the error shapes of the SDK commands
 *   those modules send, and AWS's common errors
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html, the same list per service);
 * - a `.waitForTaskToken` Task: also the names its callbacks send through SendTaskFailure.
 */

const ROOT = path.resolve(__dirname, '..', '..');

/** https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (Task states). */
const STATES_ERRORS_OF_A_TASK = [
  'States.ALL',
  'States.TaskFailed',
  'States.Timeout',
  'States.Permissions',
  'States.ResultPathMatchFailure',
  'States.ParameterPathFailure',
  'States.QueryEvaluationError',
  'States.IntrinsicFailure',
];

/** https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html */
const LAMBDA_DOCUMENTED = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
];

/** AWS's common errors, returned by any service's API besides the operation's own (CommonErrors.html). */
const COMMON_ERRORS = [
  'AccessDeniedException',
  'IncompleteSignature',
  'InternalFailure',
  'InvalidAction',
  'InvalidClientTokenId',
  'NotAuthorized',
  'OptInRequired',
  'RequestExpired',
  'ServiceUnavailable',
  'ThrottlingException',
  'ValidationError',
];

interface ModelOperation {
  errors?: { shape: string }[];
}
interface Model {
  operations: Record<string, ModelOperation>;
}

const models = new Map<string, Model>();

function model(name: string): Model {
  const cached = models.get(name);
  if (cached) return cached;
  const file = modelDirectories()
    .map((dir) => path.join(dir, `${name}.json`))
    .find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`AWS model ${name}.json not found`);
  const loaded = JSON.parse(readFileSync(file, 'utf8')) as Model;
  models.set(name, loaded);
  return loaded;
}

/** The operation's declared error shapes; an operation the model lacks fails loudly. */
export function operationErrors(modelName: string, operation: string): string[] {
  const found = model(modelName).operations[operation];
  if (!found) throw new Error(`${modelName} has no operation ${operation}`);
  return (found.errors ?? []).map((error) => error.shape);
}

/** The API model of each integration service and of each SDK client package the functions import. */
const INTEGRATION_MODELS: Record<string, string> = {
  DynamoDB: 'dynamodb',
  SNS: 'sns',
  SQS: 'sqs',
  CloudFront: 'cloudfront',
  MediaConvert: 'mediaconvert',
  MediaPackageVod: 'mediapackage-vod',
  S3: 's3',
  SecretsManager: 'secretsmanager',
};
const SDK_PACKAGES: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-mediaconvert': 'mediaconvert',
  '@aws-sdk/client-mediapackage-vod': 'mediapackage-vod',
  '@aws-sdk/client-sfn': 'stepfunctions',
  '@aws-sdk/client-cloudfront': 'cloudfront',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
};
/** The document client's commands and the operations they send. */
const DOCUMENT_CLIENT_OPERATIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
};

export interface FunctionErrors {
  /** Named error classes in the modules the handler reaches. */
  named: string[];
  /** `<model>:<Operation>` of every SDK command those modules import. */
  operations: string[];
  /** Error shapes of those operations (the names the SDK gives them in the function). */
  sdkErrors: string[];
}

function resolveModule(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

/** What a Lambda function can throw by name, read from its handler and every module it imports from this repo. */
export function functionErrors(handlerFile: string): FunctionErrors {
  const seen = new Set<string>();
  const named = new Set<string>();
  const operations = new Set<string>();
  const pending = [handlerFile];
  for (let file = pending.pop(); file; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/class (\w+) extends Error\b/g)) named.add(match[1] ?? '');
    for (const match of source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
      const [, imported = '', specifier = ''] = match;
      if (specifier.startsWith('.')) {
        if (!/^\s*type\b/.test(match[0].slice(6))) {
          const resolved = resolveModule(file, specifier);
          if (resolved) pending.push(resolved);
        }
        continue;
      }
      const modelName = SDK_PACKAGES[specifier];
      if (!modelName) continue;
      for (const name of imported.split(',').map((part) => part.trim().replace(/^type\s+/, ''))) {
        const command = /^(\w+)Command$/.exec(name)?.[1];
        if (!command) continue;
        const operation =
          specifier === '@aws-sdk/lib-dynamodb' ? (DOCUMENT_CLIENT_OPERATIONS[command] ?? command) : command;
        operations.add(`${modelName}:${operation}`);
      }
    }
  }
  const sdkErrors = [...operations].flatMap((entry) => {
    const [modelName = '', operation = ''] = entry.split(':');
    return operationErrors(modelName, operation);
  });
  return { named: [...named].sort(), operations: [...operations].sort(), sdkErrors: [...new Set(sdkErrors)].sort() };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** `Fn::GetAtt: [SubmitTranscodeLambdaFunction, Arn]` -> the handler file of serverless.yml's `submitTranscode`. */
function handlerFileOf(reference: Json): string {
  const getAtt = (reference as { 'Fn::GetAtt'?: string[] } | null)?.['Fn::GetAtt'];
  const logicalId = getAtt?.[0] ?? '';
  const functionName = logicalId.replace(/LambdaFunction$/, '');
  const key = functionName.charAt(0).toLowerCase() + functionName.slice(1);
  const serverless = parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')) as {
    functions: Record<string, { handler: string }>;
  };
  const handler = serverless.functions[key]?.handler;
  if (!handler) throw new Error(`serverless.yml has no function ${key} (from ${logicalId})`);
  return path.join(ROOT, `${handler.replace(/\.[^./]+$/, '')}.ts`);
}

export interface TaskErrorNames {
  kind: 'lambda' | 'optimized' | 'aws-sdk';
  possible: Set<string>;
}

function lambdaNames(handlerFile: string): string[] {
  const { named, sdkErrors } = functionErrors(handlerFile);
  const invokeErrors = operationErrors('lambda', 'Invoke').map((shape) => `Lambda.${shape}`);
  return [...LAMBDA_DOCUMENTED, ...invokeErrors, ...named, ...sdkErrors, ...COMMON_ERRORS];
}

/** The names that can reach one Task state. */
export function possibleErrorNames(state: JsonObject): TaskErrorNames {
  const states = [
    ...STATES_ERRORS_OF_A_TASK,
    ...(state.HeartbeatSeconds === undefined ? [] : ['States.HeartbeatTimeout']),
  ];
  const resource = state.Resource;
  if (typeof resource !== 'string') {
    return { kind: 'lambda', possible: new Set([...states, ...lambdaNames(handlerFileOf(resource ?? null))]) };
  }
  const lambdaInvoke = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.exec(resource);
  if (lambdaInvoke) {
    const parameters = state.Parameters as JsonObject;
    const callbacks = lambdaInvoke[1] ? Object.values(TRANSCODE_FAILURE) : [];
    return {
      kind: 'lambda',
      possible: new Set([...states, ...lambdaNames(handlerFileOf(parameters.FunctionName ?? null)), ...callbacks]),
    };
  }
  const integration = integrationOf(resource);
  if (!integration) throw new Error(`no error naming known for resource ${resource}`);
  const { naming, action } = integration;
  const modelName = INTEGRATION_MODELS[naming.service];
  if (!modelName) throw new Error(`no API model for ${naming.service}`);
  const operation = action.charAt(0).toUpperCase() + action.slice(1);
  const modelled = operationErrors(modelName, operation).map(
    (shape) => `${naming.prefix}.${withExceptionSuffix(shape)}`,
  );
  return {
    kind: naming.kind,
    possible: new Set([
      ...states,
      ...modelled,
      `${naming.prefix}.${naming.unmodelled}`,
      `${naming.prefix}.${SDK_CLIENT_EXCEPTION}`,
    ]),
  };
}

/** Every ErrorEquals name of a state's Retry and Catch. */
export function errorEqualsOf(state: JsonObject): string[] {
  const rules = [
    ...((state.Retry as JsonObject[] | undefined) ?? []),
    ...((state.Catch as JsonObject[] | undefined) ?? []),
  ];
  return rules.flatMap((rule) => (rule.ErrorEquals as string[] | undefined) ?? []);
}

/** The ASL's Task states by name. */
export function taskStates(
  file = path.join(ROOT, 'statemachines', 'publish-video.asl.yml'),
): Record<string, JsonObject> {
  const definition = parse(readFileSync(file, 'utf8')) as { States: Record<string, JsonObject> };
  return Object.fromEntries(Object.entries(definition.States).filter(([, state]) => state.Type === 'Task'));
}
