import { randomUUID } from 'node:crypto';

/** An event as EventBridge delivers it to a rule's Lambda target. */
export interface LocalEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Where local services put events (S3 Object Created, MediaConvert Job State Change); the runtime routes them. */
export type PublishEvent = (event: LocalEvent) => void;

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export function eventBridgeEvent(
  source: string,
  detailType: string,
  detail: Record<string, unknown>,
  resources: string[] = [],
): LocalEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: LOCAL_ACCOUNT,
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources,
    detail,
  };
}
