import type { AccessTokenClaims } from './access-token-claims';

/** May do everything, including see any status, error details and unpublish. */
export const OPERATOR = 'operator';
/** May create uploads. */
export const UPLOADER = 'uploader';
/** Assets at this level play without any token. */
export const PUBLIC_ACCESS = 'public';

/** A verified caller: who (`sub`) and what the token entitles. */
export interface Caller {
  subject: string;
  entitlements: ReadonlySet<string>;
}

/**
 * The entitlements claim is a list of strings or one space-separated string (the OAuth `scope` style). Anything
 * else counts as no entitlement: a malformed claim never grants access.
 */
export function callerOf(payload: AccessTokenClaims, claim: string): Caller {
  const raw = payload[claim];
  let values: string[] = [];
  if (Array.isArray(raw)) values = raw.filter((item): item is string => typeof item === 'string');
  else if (typeof raw === 'string') values = raw.split(' ');
  return {
    subject: payload.sub,
    entitlements: new Set(values.map((value) => value.trim()).filter((value) => value !== '')),
  };
}

export function isOperator(caller: Caller | undefined): boolean {
  return caller?.entitlements.has(OPERATOR) === true;
}

export function mayUpload(caller: Caller): boolean {
  return isOperator(caller) || caller.entitlements.has(UPLOADER);
}

/** Public assets play for anyone; others need their access level among the caller's entitlements. */
export function mayPlay(caller: Caller | undefined, accessLevel: string): boolean {
  if (accessLevel === PUBLIC_ACCESS) return true;
  return isOperator(caller) || caller?.entitlements.has(accessLevel) === true;
}
