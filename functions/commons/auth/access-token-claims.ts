import type { JWTPayload } from 'jose';
import { unauthorized } from '../http/api-errors';

/** The claims every verified access token must carry, with their types (what the API relies on). */
export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  exp: number;
  iss: string;
}

type ClaimRule = (value: unknown) => boolean;

const isText =
  (max: number): ClaimRule =>
  (value) =>
    typeof value === 'string' && value.length > 0 && value.length <= max;
const isEpochSeconds: ClaimRule = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const optional =
  (rule: ClaimRule): ClaimRule =>
  (value) =>
    value === undefined || rule(value);
const isAudience: ClaimRule = (value) =>
  isText(256)(value) || (Array.isArray(value) && value.length > 0 && value.every((item) => isText(256)(item)));

/**
 * The schema of the registered claims (RFC 7519 4.1): required ones present and of their type, optional ones of
 * their type when present. jose checks the values of iss/aud/exp/nbf, not that `sub` is a string: a token whose
 * `sub` is a number or empty would otherwise give a caller without an identity.
 */
const CLAIM_SCHEMA: Record<string, ClaimRule> = {
  sub: isText(256),
  exp: isEpochSeconds,
  iss: isText(2048),
  aud: optional(isAudience),
  client_id: optional(isText(256)),
  nbf: optional(isEpochSeconds),
  iat: optional(isEpochSeconds),
};

/** The payload as AccessTokenClaims, or a 401 naming the first claim that does not fit the schema. */
export function validateClaims(payload: JWTPayload): AccessTokenClaims {
  for (const [claim, rule] of Object.entries(CLAIM_SCHEMA)) {
    if (!rule(payload[claim])) throw unauthorized(`token claim ${claim} not accepted`, true);
  }
  return payload as AccessTokenClaims;
}
