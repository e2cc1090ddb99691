import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SigningKeyPair {
  /** The id CloudFront gives a public key (K + 13 upper-case characters); derived from the key here. */
  keyPairId: string;
  publicKeyPem: string;
  privateKeyPem: string;
}

/**
 * The CloudFront signing key pair of local mode, created once in the data folder. The private key reaches the
 * entitlement function only through (local) Secrets Manager, as in the cloud.
 */
export async function openSigningKeyPair(dataDir: string): Promise<SigningKeyPair> {
  const dir = join(dataDir, 'keys');
  const privateFile = join(dir, 'cloudfront-private-key.pem');
  const publicFile = join(dir, 'cloudfront-public-key.pem');
  if (!existsSync(privateFile) || !existsSync(publicFile)) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    await mkdir(dir, { recursive: true });
    await writeFile(privateFile, privateKey, { mode: 0o600 });
    await writeFile(publicFile, publicKey);
  }
  const publicKeyPem = await readFile(publicFile, 'utf8');
  const digest = createHash('sha256').update(publicKeyPem).digest('hex').toUpperCase();
  return {
    keyPairId: `K${digest.replace(/[^A-Z0-9]/g, '').slice(0, 13)}`,
    publicKeyPem,
    privateKeyPem: await readFile(privateFile, 'utf8'),
  };
}
