import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { stepFunctions } from '../commons/clients/step-functions';

/** What settling needs to know about the stopped execution beyond the event. */
export interface StoppedExecutionFacts {
  /** The state the execution was in when it stopped: where a redrive continues. */
  lastState?: string;
  /** `redriveCount` now, recorded in the dead letter so that the redrive function redrives it once. */
  redriveCount: number;
  input?: string;
}

const PAGE_SIZE = 100;
/** A stopped publish is found within its last few events; this only bounds a pathological history. */
const MAX_PAGES = 20;

function enteredState(event: HistoryEvent): string | undefined {
  return event.type?.endsWith('StateEntered') ? event.stateEnteredEventDetails?.name : undefined;
}

/**
 * The last state the execution entered (newest events first, so usually one page) and its redrive count. Redrive
 * restarts an execution that stopped outside a Catch at the state that was running
 * (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).
 */
export async function readStoppedExecution(executionArn: string, needInput: boolean): Promise<StoppedExecutionFacts> {
  const described = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
  let lastState: string | undefined;
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES && lastState === undefined; page += 1) {
    const history = await stepFunctions.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: PAGE_SIZE,
        includeExecutionData: false,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    lastState = (history.events ?? []).map(enteredState).find((name) => name !== undefined);
    nextToken = history.nextToken;
    if (!nextToken) break;
  }
  return {
    ...(lastState === undefined ? {} : { lastState }),
    redriveCount: described.redriveCount ?? 0,
    ...(needInput && described.input !== undefined ? { input: described.input } : {}),
  };
}
