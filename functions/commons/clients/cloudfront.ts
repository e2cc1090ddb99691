import { CloudFrontClient } from '@aws-sdk/client-cloudfront';

/** Built once per container; the SDK resolves CloudFront's global endpoint from any region. */
export const cloudFront = new CloudFrontClient({});
