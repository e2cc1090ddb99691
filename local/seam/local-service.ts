/**
 * The contract between the local runtime's one seam and each local AWS service. A command is the API operation's
 * name without "Command" (`UpdateItem`, `CreateJob`) and its input is exactly what the SDK's low-level client
 * would serialise (DynamoDB values marshalled, as the ASL's direct integrations send them too).
 */
export type AwsServiceName =
  'S3' | 'DynamoDB' | 'SFN' | 'SQS' | 'SNS' | 'MediaConvert' | 'MediaPackageVod' | 'CloudFront' | 'SecretsManager';

export type CommandInput = Record<string, unknown>;
export type CommandOutput = Record<string, unknown>;

export interface LocalService {
  readonly service: AwsServiceName;
  /** Answers one API call; throws LocalServiceError with AWS's error name for what AWS would refuse. */
  handle(command: string, input: CommandInput): Promise<CommandOutput>;
}

export type Fault = 'client' | 'server';

/** An error shaped like the SDK's service exceptions: code reads `error.name`, as `isAwsError` does. */
export class LocalServiceError extends Error {
  readonly $fault: Fault;
  readonly $metadata: { httpStatusCode: number };

  constructor(name: string, message: string, options: { status?: number; fault?: Fault } = {}) {
    super(message);
    this.name = name;
    this.$fault = options.fault ?? 'client';
    this.$metadata = { httpStatusCode: options.status ?? (this.$fault === 'client' ? 400 : 500) };
  }
}

/** What a local service answers for an operation it does not implement: loud, never a silent success. */
export function unsupportedCommand(service: AwsServiceName, command: string): LocalServiceError {
  return new LocalServiceError('UnsupportedOperation', `local ${service} does not implement ${command}`);
}
