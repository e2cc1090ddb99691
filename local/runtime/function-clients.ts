import type { SdkClient } from '../seam/local-seam';

/**
 * The SDK clients the functions build once at module scope (functions/commons/clients/). Local mode routes each of
 * them through the seam; the functions keep using them unchanged.
 */
export async function functionClients(): Promise<SdkClient[]> {
  const [dynamo, mediaConvert, mediaPackageVod, sqs, sns, stepFunctions, s3, secretsManager, cloudFront] =
    await Promise.all([
      import('../../functions/commons/clients/dynamo'),
      import('../../functions/commons/clients/media-convert'),
      import('../../functions/commons/clients/media-package-vod'),
      import('../../functions/commons/clients/sqs'),
      import('../../functions/commons/clients/sns'),
      import('../../functions/commons/clients/step-functions'),
      import('../../functions/commons/clients/s3'),
      import('../../functions/commons/clients/secrets-manager'),
      import('../../functions/commons/clients/cloudfront'),
    ]);
  return [
    ...Object.values(dynamo),
    ...Object.values(mediaConvert),
    ...Object.values(mediaPackageVod),
    ...Object.values(sqs),
    ...Object.values(sns),
    ...Object.values(stepFunctions),
    ...Object.values(s3),
    ...Object.values(secretsManager),
    ...Object.values(cloudFront),
  ]
    .map((value): unknown => value)
    .filter((value): value is SdkClient => typeof value === 'object' && value !== null && 'middlewareStack' in value);
}
