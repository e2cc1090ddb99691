import { SQSClient } from '@aws-sdk/client-sqs';

/** Built once per container. */
export const sqs = new SQSClient({});
