// JSON requests to the local app server and the edge. Every refusal becomes an ApiError carrying the HTTP status and
// the server's `{ message }`, so the page can say what went wrong instead of "request failed".

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached
   * @param {string} message the server's message, or a description of the network failure
   */
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * @param {string} url
 * @param {{ method?: string, token?: string, body?: unknown, credentials?: RequestCredentials }} [options]
 * @returns {Promise<any>} the parsed JSON body (undefined for 204)
 */
export async function requestJson(url, options = {}) {
  const headers = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: options.credentials ?? 'same-origin',
    });
  } catch (error) {
    throw new ApiError(0, `cannot reach ${new URL(url, location.href).origin} (${describeError(error)})`);
  }
  const text = await response.text();
  const body = parseJson(text);
  if (!response.ok) {
    const message = typeof body?.message === 'string' ? body.message : response.statusText || 'request refused';
    throw new ApiError(response.status, message);
  }
  if (response.status !== 204 && body === undefined) {
    throw new ApiError(response.status, `${url} answered ${response.status} without a JSON body`);
  }
  return body;
}

function parseJson(text) {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A one-line description of anything thrown, for status lines and the test hook. */
export function describeError(error) {
  if (error instanceof ApiError) return error.status ? `${error.message} (HTTP ${error.status})` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
