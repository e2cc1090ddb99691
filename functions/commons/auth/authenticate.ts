import { unauthorized } from '../http/api-errors';
import type { HttpEvent } from '../http/http-handler';
import type { AuthConfig } from './auth-config';
import { callerOf, type Caller } from './entitlements';
import { createAccessTokenVerifier } from './verify-access-token';

export interface Authenticator {
  /** The caller when a token is sent (401 if it is bad); undefined when the request carries none. */
  optionalCaller(event: HttpEvent): Promise<Caller | undefined>;
  /** The caller; 401 without a valid token. */
  requiredCaller(event: HttpEvent): Promise<Caller>;
}

/** Built once per container: the key set it fetches is cached across invocations. */
export function createAuthenticator(config: AuthConfig): Authenticator {
  const verify = createAccessTokenVerifier(config);
  const optionalCaller = async (event: HttpEvent): Promise<Caller | undefined> => {
    const token = bearerTokenOf(event);
    if (token === undefined) return undefined;
    return callerOf(await verify(token), config.entitlementsClaim);
  };
  return {
    optionalCaller,
    requiredCaller: async (event) => {
      const caller = await optionalCaller(event);
      if (!caller) throw unauthorized('a bearer token is required', false);
      return caller;
    },
  };
}

/** `Authorization: Bearer <jwt>` (header names lower-cased by the middleware); anything else in it is a 401. */
export function bearerTokenOf(event: HttpEvent): string | undefined {
  const header = event.headers.authorization;
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^Bearer +([A-Za-z0-9_.~+/=-]+)$/i.exec(header.trim());
  if (!match?.[1]) throw unauthorized('malformed Authorization header: expected "Bearer <token>"', true);
  return match[1];
}
