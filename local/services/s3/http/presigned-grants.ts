import { requestErrors } from './s3-request-error';

/** The S3 actions a pre-signed URL can be used for here, as IAM names them. */
export type S3Action = 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject' | 's3:AbortMultipartUpload';

/** One statement of the signing role's policy: these actions on keys under this prefix of this bucket. */
export interface PresignGrant {
  bucket: string;
  keyPrefix: string;
  actions: S3Action[];
}

/**
 * The IAM action S3 authorises a request under: every write of an object or of its multipart upload (create,
 * part, complete) is s3:PutObject; aborting is s3:AbortMultipartUpload
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html, "Permissions";
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html).
 */
export function actionOf(method: string, query: Map<string, string>): S3Action | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 's3:GetObject';
    case 'PUT':
    case 'POST':
      return 's3:PutObject';
    case 'DELETE':
      return query.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject';
    default:
      return undefined;
  }
}

/**
 * A pre-signed URL acts with the permissions of whoever signed it
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html): local mode's functions share
 * one local key pair, so what a URL may do is what the signing function's role may do, and S3 answers anything
 * else 403 AccessDenied.
 */
export function authorisePresigned(grants: PresignGrant[], action: S3Action, bucket: string, key: string): void {
  const allowed = grants.some(
    (grant) => grant.bucket === bucket && key.startsWith(grant.keyPrefix) && grant.actions.includes(action),
  );
  if (!allowed) throw requestErrors.accessDenied();
}
