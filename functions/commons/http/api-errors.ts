import { createError } from '@middy/util';

/**
 * The API's refusals, as middy HTTP errors: http-error-handler turns them into the status code, and
 * json-error-body into `{ message, errors? }`. Each is `expose`d (a 4xx the client can act on); anything else that
 * is thrown becomes a bare 500.
 */
export type ApiError = ReturnType<typeof createError> & { details?: string[]; headers?: Record<string, string> };

function apiError(status: number, message: string, extra: { details?: string[]; headers?: Record<string, string> }) {
  const error: ApiError = createError(status, message, { expose: true });
  if (extra.details) error.details = extra.details;
  if (extra.headers) error.headers = extra.headers;
  return error;
}

/** 400: every problem of the request listed, so a client can fix them all at once. */
export function badRequest(problems: string[]): ApiError {
  return apiError(400, `invalid request: ${problems.join('; ')}`, { details: problems });
}

/**
 * 401 as RFC 6750 describes it: no error code when the request carried no token, `invalid_token` when it carried
 * a bad one. The message says what was wrong, never what the token was.
 */
export function unauthorized(message: string, tokenSent: boolean): ApiError {
  const challenge = tokenSent
    ? `Bearer realm="vodflow", error="invalid_token", error_description="${message}"`
    : 'Bearer realm="vodflow"';
  return apiError(401, message, { headers: { 'WWW-Authenticate': challenge } });
}

/** 403: a valid token without the entitlement the request needs. */
export function forbidden(message: string): ApiError {
  return apiError(403, message, {
    headers: { 'WWW-Authenticate': `Bearer realm="vodflow", error="insufficient_scope"` },
  });
}

export function notFound(message: string): ApiError {
  return apiError(404, message, {});
}

export function conflict(message: string): ApiError {
  return apiError(409, message, {});
}

/** 503 with a fixed message: a dependency (the identity provider's key set) is unreachable for now. */
export function unavailable(message: string): ApiError {
  return apiError(503, message, { headers: { 'Retry-After': '5' } });
}
