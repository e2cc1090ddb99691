import { SNSClient } from '@aws-sdk/client-sns';

/** Built once per container. */
export const sns = new SNSClient({});
