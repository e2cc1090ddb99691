import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { logger } from '../logger';
import { unauthorized, unavailable } from '../http/api-errors';
import { validateClaims, type AccessTokenClaims } from './access-token-claims';
import type { AuthConfig } from './auth-config';

/** Asymmetric algorithms only: an HMAC "signed" with the issuer's public key must never verify. */
export const ACCEPTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const CLOCK_TOLERANCE_SECONDS = 5;

export type AccessTokenVerifier = (token: string) => Promise<AccessTokenClaims>;

/**
 * This API understands no JWS extension, so a token marking any as critical must be rejected (RFC 7515 4.1.11:
 * "If any of the listed extension Header Parameters are not understood and supported by the recipient, then the
 * JWS is invalid"). Said as what it is, not as an algorithm problem.
 */
function refuseCriticalExtensions(token: string): void {
  let crit: unknown;
  try {
    crit = decodeProtectedHeader(token).crit;
  } catch {
    return; // not a JWS at all: jwtVerify says so
  }
  if (crit !== undefined) {
    throw unauthorized('token has a critical header parameter this API does not understand', true);
  }
}

/**
 * Verifies bearer tokens against the issuer's JWKS (fetched once, cached by jose, refetched for an unknown `kid`).
 * Signature, issuer, expiry and not-before are checked by jose; the audience is `aud`, or `client_id` when the token
 * has no `aud` (Cognito access tokens), as API Gateway's JWT authorizer does.
 */
export function createAccessTokenVerifier(config: AuthConfig): AccessTokenVerifier {
  const keySet = createRemoteJWKSet(new URL(config.jwksUrl));
  return async (token) => {
    refuseCriticalExtensions(token);
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer: config.issuer,
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw refusalFor(error);
    }
    const claims = validateClaims(payload);
    if (!audienceMatches(claims, config.audience)) throw unauthorized('token audience not accepted', true);
    return claims;
  };
}

function audienceMatches(payload: AccessTokenClaims, audience: string): boolean {
  if (payload.aud !== undefined) {
    return Array.isArray(payload.aud) ? payload.aud.includes(audience) : payload.aud === audience;
  }
  return payload.client_id === audience;
}

/** A short reason per failure; the token itself is never echoed or logged. */
function refusalFor(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return unauthorized('token expired', true);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return unauthorized('token not yet valid', true);
    if (error.claim === 'iss') return unauthorized('token issuer not accepted', true);
    return unauthorized(`token claim ${error.claim} not accepted`, true);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return unauthorized('token algorithm not accepted', true);
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthorized('token signature invalid', true);
  if (error instanceof errors.JWKSNoMatchingKey) return unauthorized('token signed with an unknown key', true);
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return unauthorized('malformed token', true);
  }
  if (error instanceof errors.JOSENotSupported) return unauthorized('token algorithm not accepted', true);
  // The key set could not be fetched or read: the token may be fine, the identity provider is the problem.
  logger.error('token key set unavailable', { error });
  return unavailable('token could not be verified right now, try again');
}
