import { optionalEnv, requiredEnv } from '../config';

export interface AuthConfig {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** The claim holding the caller's entitlements (`cognito:groups` with a Cognito user pool). */
  entitlementsClaim: string;
}

/** Read once per container; a missing issuer or audience fails the cold start. */
export function readAuthConfig(): AuthConfig {
  const issuer = requiredEnv('JWT_ISSUER');
  return {
    issuer,
    audience: requiredEnv('JWT_AUDIENCE'),
    jwksUrl: optionalEnv('JWKS_URL') ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
    entitlementsClaim: optionalEnv('ENTITLEMENTS_CLAIM') ?? 'entitlements',
  };
}
