// Who the page acts as. Tokens come from the local JWT issuer (POST /auth/token) and live in memory only: a reload
// signs in again, and nothing is written to storage a script could read later.
import { requestJson } from './api-client.js';

/** The identities the page offers. `null` claims mean the anonymous viewer (no Authorization header at all). */
export const IDENTITIES = {
  operator: {
    label: 'dev (operator, uploader, subscriber)',
    user: 'dev',
    entitlements: ['operator', 'uploader', 'subscriber'],
  },
  subscriber: { label: 'viewer (subscriber)', user: 'viewer', entitlements: ['subscriber'] },
  anonymous: { label: 'anonymous viewer', user: null, entitlements: [] },
};

// Renew a little before expiry so a request never leaves with a token that dies on the way.
const RENEW_BEFORE_MS = 30_000;

export function createSession() {
  let identityKey = 'operator';
  let token;
  let expiresAt = 0;
  const listeners = new Set();

  async function issue() {
    const identity = IDENTITIES[identityKey];
    const answer = await requestJson('/auth/token', {
      method: 'POST',
      body: { user: identity.user, entitlements: identity.entitlements },
    });
    if (typeof answer.access_token !== 'string' || answer.access_token === '') {
      throw new Error('the token issuer answered without an access_token');
    }
    token = answer.access_token;
    expiresAt = Date.now() + (Number(answer.expires_in) || 300) * 1000;
  }

  return {
    /** @param {keyof typeof IDENTITIES} key */
    async use(key) {
      if (!(key in IDENTITIES)) throw new Error(`unknown identity "${key}"`);
      identityKey = key;
      token = undefined;
      expiresAt = 0;
      if (IDENTITIES[key].user !== null) await issue();
      for (const listener of listeners) listener();
    },
    /** The bearer token for the next request, renewed when close to expiry; undefined when anonymous. */
    async token() {
      if (IDENTITIES[identityKey].user === null) return undefined;
      if (!token || Date.now() > expiresAt - RENEW_BEFORE_MS) await issue();
      return token;
    },
    identity() {
      return { key: identityKey, ...IDENTITIES[identityKey] };
    },
    isOperator() {
      return IDENTITIES[identityKey].entitlements.includes('operator');
    },
    onChange(listener) {
      listeners.add(listener);
    },
  };
}
