import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';

/** Built once per container; the SDK resolves the regional endpoint (no DescribeEndpoints call needed). */
export const mediaConvert = new MediaConvertClient({});
