import { readAuthConfig } from '../commons/auth/auth-config';
import { createAuthenticator } from '../commons/auth/authenticate';
import { mayUpload } from '../commons/auth/entitlements';
import { badRequest, forbidden } from '../commons/http/api-errors';
import { httpHandler, type HttpEvent, type HttpResult } from '../commons/http/http-handler';
import { jsonResponse } from '../commons/http/responses';
import { logger } from '../commons/logger';
import { presignMultipartUpload, presignSingleUpload, type MultipartUpload, type SingleUpload } from './presign-upload';
import { ABANDONED_UPLOAD_GRACE_SECONDS, recordPendingUpload } from './record-upload';
import { readUploadConfig } from './upload-config';
import { newAssetId, uploadKeyFor } from './upload-key';
import { parseUploadRequest } from './upload-request';

const config = readUploadConfig();
const auth = createAuthenticator(readAuthConfig());

export interface CreateUploadResponse {
  assetId: string;
  status: 'AWAITING_UPLOAD';
  upload: SingleUpload | MultipartUpload;
}

/**
 * POST /uploads (uploaders and operators): records the asset as AWAITING_UPLOAD and answers a pre-signed upload
 * into the source bucket, a single PUT below the multipart threshold, S3 multipart above it.
 */
async function createUpload(event: HttpEvent): Promise<HttpResult> {
  const caller = await auth.requiredCaller(event);
  if (!mayUpload(caller)) throw forbidden('uploading needs the "uploader" or "operator" entitlement');
  const parsed = parseUploadRequest(event.body, config.policy);
  if (!parsed.ok) throw badRequest(parsed.problems);
  const { request } = parsed;

  const now = new Date();
  const assetId = newAssetId();
  const key = uploadKeyFor(assetId, request.fileName);
  await recordPendingUpload({
    table: config.table,
    assetId,
    key,
    request,
    uploadedBy: caller.subject,
    now,
    abandonAfterSeconds: config.urlTtlSeconds + ABANDONED_UPLOAD_GRACE_SECONDS,
  });

  const target = {
    bucket: config.bucket,
    key,
    contentType: request.contentType,
    size: request.size,
    expiresInSeconds: config.urlTtlSeconds,
  };
  const upload =
    request.size < config.multipartThresholdBytes
      ? await presignSingleUpload(target, now)
      : await presignMultipartUpload(target, config.partBytes, now);
  logger.info('upload created', { assetId, key, size: request.size, method: upload.method });
  const body: CreateUploadResponse = { assetId, status: 'AWAITING_UPLOAD', upload };
  return jsonResponse(201, body);
}

export const handler = httpHandler(createUpload, { jsonBody: true });
