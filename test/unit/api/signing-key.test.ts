import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { generateKeyPairSync } from 'node:crypto';
import { createSigningKeyCache, SigningKeyUnusable } from '../../../functions/authorize-playback/signing-key';

const secrets = mockClient(SecretsManagerClient);
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

describe('signing key from Secrets Manager', () => {
  beforeEach(() => {
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: pem });
  });

  it('is fetched once, shared by concurrent requests, and fetched again after its TTL', async () => {
    let now = 0;
    const signingKey = createSigningKeyCache('vodflow/key', 300, () => now);

    const [first, second] = await Promise.all([signingKey(), signingKey()]);
    now = 299_000;
    await signingKey();
    now = 300_000;
    await signingKey();

    expect(first).toBe(second);
    expect(first.asymmetricKeyType).toBe('rsa');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'vodflow/key' });
  });

  it('does not keep a failed fetch', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: pem });
    const signingKey = createSigningKeyCache('vodflow/key', 300, () => 0);

    await expect(signingKey()).rejects.toThrow('throttled');
    await expect(signingKey()).resolves.toBeDefined();
  });

  it('refuses a secret that is not an RSA private key, without quoting it', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'not-a-key-but-secret-material' });
    const signingKey = createSigningKeyCache('vodflow/key', 300, () => 0);

    const failure = signingKey();

    await expect(failure).rejects.toThrow(SigningKeyUnusable);
    await expect(failure).rejects.not.toThrow(/secret-material/);
  });
});
