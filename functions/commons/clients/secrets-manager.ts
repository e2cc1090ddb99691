import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Built once per container. */
export const secretsManager = new SecretsManagerClient({});
