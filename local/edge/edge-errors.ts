/** Error bodies as CloudFront writes them: a code and a fixed message, never the reason a check failed. */
export interface EdgeError {
  status: number;
  body: string;
}

function xmlError(status: number, code: string, message: string): EdgeError {
  return {
    status,
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

export const MISSING_KEY = xmlError(403, 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
export const ACCESS_DENIED = xmlError(403, 'AccessDenied', 'Access denied');
export const METHOD_NOT_ALLOWED = xmlError(
  403,
  'MethodNotAllowed',
  'This distribution is not configured to allow the HTTP request method that was used for this request.',
);
/** A request for a domain name the distribution does not serve (https://repost.aws/knowledge-center/resolve-cloudfront-bad-request-error). */
export const UNKNOWN_DOMAIN = xmlError(403, 'BadRequest', 'Bad request.');
/** A request target that is not a URL path. */
export const BAD_REQUEST = xmlError(400, 'BadRequest', 'Bad request.');
export const NOT_FOUND = xmlError(404, 'NotFound', 'Not Found');
export const BAD_GATEWAY = xmlError(502, 'BadGateway', 'CloudFront could not connect to the origin.');
