import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { secretsManager } from '../commons/clients/secrets-manager';

/** Thrown when the secret cannot be turned into a private key; its message never contains the secret. */
export class SigningKeyUnusable extends Error {
  override readonly name = 'SigningKeyUnusable';
}

/**
 * The CloudFront signing key, read from Secrets Manager (the SecretString is the PEM) and kept in memory for
 * `ttlSeconds`, so a rotated secret is picked up without a deploy and a warm container costs no extra call.
 * Concurrent cold requests share one fetch.
 */
export function createSigningKeyCache(secretId: string, ttlSeconds: number, clock: () => number = Date.now) {
  let cached: { key: Promise<KeyObject>; expiresAt: number } | undefined;
  return async (): Promise<KeyObject> => {
    const now = clock();
    if (!cached || cached.expiresAt <= now) {
      const key = fetchSigningKey(secretId);
      cached = { key, expiresAt: now + ttlSeconds * 1000 };
      // A failed fetch is not cached: the next request tries again.
      key.catch(() => {
        if (cached?.key === key) cached = undefined;
      });
    }
    return cached.key;
  };
}

async function fetchSigningKey(secretId: string): Promise<KeyObject> {
  const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (SecretString === undefined || SecretString.trim() === '') {
    throw new SigningKeyUnusable(`secret ${secretId} has no SecretString`);
  }
  try {
    const key = createPrivateKey(SecretString);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    return key;
  } catch {
    throw new SigningKeyUnusable(`secret ${secretId} is not an RSA private key in PEM`);
  }
}
