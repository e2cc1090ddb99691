import { getAsset } from '../../local/cli/asset-status';
import { uploadFile } from '../../local/cli/upload-client';
import type { LocalRuntime } from '../../local/runtime/local-runtime';
import { LOCAL_STACK } from '../../local/runtime/local-stack';
import type { ExecutionRecord } from '../../local/step-functions/execution-record';
import { operatorToken } from './local-mode';

/** What a publish left behind for one asset: what an operator and a subscriber of the topic would see. */
export interface PublishOutcome {
  assetId: string;
  status: string;
  failedState?: string;
  /** `event` of each notification about this asset, in publication order. */
  notifications: string[];
  /** Dead letters about this asset (parsed bodies). */
  deadLetters: { failedState?: string; executionArn?: string }[];
  executions: ExecutionRecord[];
}

/**
 * Uploads `file` through the API as the page does and returns once local mode is idle (no event, job or execution
 * in flight): the publish has ended, however it ended. No polling.
 */
export async function uploadAndSettle(runtime: LocalRuntime, file: string): Promise<string> {
  const assetId = await uploadFile(runtime.endpoints, await operatorToken(runtime), file);
  await runtime.idle();
  return assetId;
}

export async function outcomeOf(runtime: LocalRuntime, assetId: string): Promise<PublishOutcome> {
  const asset = await getAsset(runtime.endpoints, await operatorToken(runtime), assetId);
  const notifications = runtime.services.sns
    .messages(LOCAL_STACK.notificationsTopic)
    .filter((message) => message.messageAttributes.assetId?.StringValue === assetId)
    .map((message) => message.messageAttributes.event?.StringValue ?? '');
  const deadLetters = runtime.services.sqs
    .peek(LOCAL_STACK.deadLetterQueue)
    .map((letter) => JSON.parse(letter.body) as { assetId?: string; failedState?: string; executionArn?: string })
    .filter((letter) => letter.assetId === assetId)
    .map(({ failedState, executionArn }) => ({ failedState, executionArn }));
  const executions = runtime.services.stepFunctions
    .list()
    .filter((record) => (JSON.parse(record.input) as { assetId?: string }).assetId === assetId);
  return {
    assetId,
    status: asset.status,
    ...(asset.error?.state === undefined ? {} : { failedState: asset.error.state }),
    notifications,
    deadLetters,
    executions,
  };
}

/**
 * The errors the state machine retried `state` on, in order, across every run of the execution: each retry is
 * recorded as the failure (with its error) followed by the retry.
 */
export function retriesOf(execution: ExecutionRecord | undefined, state: string): string[] {
  const history = execution?.history ?? [];
  return history.flatMap((event, index) => {
    const failure = history[index - 1];
    if (event.type !== 'StateRetried' || event.stateName !== state || failure?.stateName !== state) return [];
    return [failure.error ?? ''];
  });
}

/** The errors `state` failed with, in order (each attempt that failed, retried or not). */
export function failuresOf(execution: ExecutionRecord | undefined, state: string): string[] {
  return (execution?.history ?? [])
    .filter((event) => event.type === 'TaskFailed' && event.stateName === state)
    .map((event) => event.error ?? '');
}
