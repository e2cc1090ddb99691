import { createHash } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../seam/local-events';
import {
  LocalServiceError,
  unsupportedCommand,
  type CommandInput,
  type CommandOutput,
  type LocalService,
} from '../../seam/local-service';

export interface SecretDefinition {
  name: string;
  secretString: string;
}

export interface LocalSecretsManagerOptions {
  secrets: SecretDefinition[];
}

interface Secret {
  arn: string;
  name: string;
  secretString: string;
  versionId: string;
  createdDate: Date;
}

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Secrets Manager appends 6 random characters to a secret's ARN; locally they derive from the name, so they are stable. */
export function localSecretArn(name: string): string {
  const suffix = [...digest(`arn:${name}`).subarray(0, 6)].map((byte) => SUFFIX_ALPHABET[byte % 62]).join('');
  return `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${name}-${suffix}`;
}

function versionIdOf(name: string, secretString: string): string {
  const hex = digest(`version:${name}:${secretString}`).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html (ResourceNotFoundException for an
// unknown secret, VersionId or VersionStage)
function notFound(detail = "Secrets Manager can't find the specified secret."): LocalServiceError {
  return new LocalServiceError('ResourceNotFoundException', detail);
}

/**
 * Local Secrets Manager: the secrets the runtime hands it (the local CloudFront signing key), held in memory only,
 * answered by name, full ARN or partial ARN (without the random suffix), as in the cloud.
 */
export class LocalSecretsManager implements LocalService {
  readonly service = 'SecretsManager' as const;
  private readonly secrets: Secret[];

  constructor(options: LocalSecretsManagerOptions) {
    const createdDate = new Date();
    this.secrets = options.secrets.map(({ name, secretString }) => ({
      arn: localSecretArn(name),
      name,
      secretString,
      versionId: versionIdOf(name, secretString),
      createdDate,
    }));
  }

  async handle(command: string, input: CommandInput): Promise<CommandOutput> {
    if (command !== 'GetSecretValue') throw unsupportedCommand(this.service, command);
    return Promise.resolve(this.getSecretValue(input));
  }

  private getSecretValue(input: Record<string, unknown>): CommandOutput {
    const id = input.SecretId;
    if (typeof id !== 'string' || id === '') {
      throw new LocalServiceError('InvalidParameterException', 'You must provide a value for SecretId.');
    }
    const secret = this.secrets.find(
      (candidate) =>
        candidate.name === id || candidate.arn === id || candidate.arn.replace(/-[A-Za-z0-9]{6}$/, '') === id,
    );
    if (!secret) throw notFound();
    const { VersionId: versionId, VersionStage: stage } = input;
    if (versionId !== undefined && versionId !== secret.versionId) {
      throw notFound(
        `Secrets Manager can't find the specified secret value for VersionId: ${JSON.stringify(versionId)}`,
      );
    }
    if (stage !== undefined && stage !== 'AWSCURRENT') {
      throw notFound(
        `Secrets Manager can't find the specified secret value for staging label: ${JSON.stringify(stage)}`,
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      SecretString: secret.secretString,
      VersionId: secret.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: new Date(secret.createdDate),
    };
  }
}
