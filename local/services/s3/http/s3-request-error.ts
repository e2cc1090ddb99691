import { LocalServiceError } from '../../../seam/local-service';

/** An S3 error answered over HTTP; `details` become extra elements of the XML body, as S3 adds for some codes. */
export class S3RequestError extends LocalServiceError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly details: Record<string, string> = {},
  ) {
    super(code, message, { status, fault: status >= 500 ? 'server' : 'client' });
  }
}

export const requestErrors = {
  accessDenied: (message = 'Access Denied') => new S3RequestError('AccessDenied', message, 403),
  expired: (expiredAt: Date, now: Date) =>
    new S3RequestError('AccessDenied', 'Request has expired', 403, {
      Expires: expiredAt.toISOString(),
      ServerTime: now.toISOString(),
    }),
  invalidAccessKeyId: (accessKeyId: string) =>
    new S3RequestError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, {
      AWSAccessKeyId: accessKeyId,
    }),
  signatureDoesNotMatch: (details: Record<string, string>) =>
    new S3RequestError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      403,
      details,
    ),
  queryParameters: (message: string) => new S3RequestError('AuthorizationQueryParametersError', message, 400),
  invalidUri: () => new S3RequestError('InvalidURI', "Couldn't parse the specified URI.", 400),
  methodNotAllowed: (message: string) => new S3RequestError('MethodNotAllowed', message, 405),
  notImplemented: (message: string) => new S3RequestError('NotImplemented', message, 501),
  corsForbidden: () =>
    new S3RequestError(
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      403,
    ),
  badRequest: (message: string) => new S3RequestError('BadRequest', message, 400),
};
