import { randomUUID } from 'node:crypto';
import { LocalServiceError, type AwsServiceName } from '../seam/local-service';
import { integrationFailure, integrationOf, type IntegrationNaming } from './integration-error-names';
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
  naming: IntegrationNaming,
  action: string,
  params: Json,
): Promise<Record<string, unknown>> {
  try {
    return withoutMetadata(await deps.call(naming.service, pascal(action), params as Record<string, unknown>));
  } catch (error) {
    // Named as Step Functions names an integration's error for this integration kind (integration-error-names.ts).
    const answered = error instanceof LocalServiceError;
    const { error: name, cause } = integrationFailure(naming, {
      errorName: answered ? error.name : undefined,
      message: error instanceof Error ? error.message : String(error),
      statusCode: answered ? error.$metadata.httpStatusCode : 0,
      requestId: randomUUID(),
    });
    throw namedError(name, cause);
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
    // The callback may answer before the submitting function returns (a job that fails at once): the answer waits
    // in `settled`, which must not count as an unhandled rejection meanwhile (Node would end the process).
    settled.catch(() => undefined);
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

  const integration = integrationOf(resource);
  if (integration) {
    const { naming, action } = integration;
    const request = naming.kind === 'optimized' ? serialiseMessage(naming.service, params) : params;
    return callService(deps, naming, action, request);
  }
  throw namedError('States.Runtime', `local mode cannot run resource ${resource}`);
}
