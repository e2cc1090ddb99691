import { SFNClient } from '@aws-sdk/client-sfn';

/** Built once per container. */
export const stepFunctions = new SFNClient({});
