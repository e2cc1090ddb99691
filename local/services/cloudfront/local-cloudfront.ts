import { randomBytes } from 'node:crypto';
import {
  LocalServiceError,
  unsupportedCommand,
  type CommandInput,
  type CommandOutput,
  type LocalService,
} from '../../seam/local-service';
import { parseInvalidationBatch, samePaths, type InvalidationBatch } from './invalidation-batch';

export interface LocalCloudFrontOptions {
  distributionId: string;
  /** Drops the edge's cached responses for these paths; returns how many were dropped. */
  purge: (paths: string[]) => number;
}

interface Invalidation {
  Id: string;
  Status: 'Completed';
  CreateTime: Date;
  InvalidationBatch: InvalidationBatch;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Invalidation ids look like CloudFront's: `I` and 13 upper-case letters or digits. */
function newInvalidationId(): string {
  return `I${[...randomBytes(13)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length] ?? 'X').join('')}`;
}

/** A copy for the caller: the stored invalidation must not change if the caller edits its answer. */
function copyOf(invalidation: Invalidation): Invalidation {
  const { CallerReference, Paths } = invalidation.InvalidationBatch;
  return {
    ...invalidation,
    CreateTime: new Date(invalidation.CreateTime.getTime()),
    InvalidationBatch: { CallerReference, Paths: { Quantity: Paths.Quantity, Items: [...Paths.Items] } },
  };
}

/**
 * CloudFront's invalidation API for the local edge's one distribution. The local purge is immediate, so an
 * invalidation is Completed when CreateInvalidation answers (in the cloud it starts InProgress).
 */
export class LocalCloudFront implements LocalService {
  readonly service = 'CloudFront' as const;
  private readonly invalidations = new Map<string, Invalidation>();
  private readonly byCallerReference = new Map<string, Invalidation>();

  constructor(private readonly options: LocalCloudFrontOptions) {}

  handle(command: string, input: CommandInput): Promise<CommandOutput> {
    // Inside the executor, every refusal reaches the caller as a rejected promise, as from an SDK client.
    return new Promise((resolve) => {
      resolve(this.answer(command, input));
    });
  }

  private answer(command: string, input: CommandInput): CommandOutput {
    switch (command) {
      case 'CreateInvalidation':
        return this.createInvalidation(input);
      case 'GetInvalidation':
        return this.getInvalidation(input);
      default:
        throw unsupportedCommand(this.service, command);
    }
  }

  private checkDistribution(input: CommandInput): string {
    const id = input.DistributionId;
    if (id !== this.options.distributionId) {
      throw new LocalServiceError('NoSuchDistribution', `The specified distribution does not exist: ${String(id)}`, {
        status: 404,
      });
    }
    return id;
  }

  private createInvalidation(input: CommandInput): CommandOutput {
    const distributionId = this.checkDistribution(input);
    const batch = parseInvalidationBatch(input.InvalidationBatch);
    const previous = this.byCallerReference.get(batch.CallerReference);
    if (previous) {
      // Same reference and paths: CloudFront answers with the invalidation it already made (a retried request).
      if (samePaths(previous.InvalidationBatch, batch)) return this.output(distributionId, previous);
      // The API reference names this InvalidationBatchAlreadyExists; the service answers InvalidArgument with this text.
      throw new LocalServiceError(
        'InvalidArgument',
        'Your request contains a caller reference that was used for a previous invalidation batch for the same distribution.',
      );
    }
    const invalidation: Invalidation = {
      Id: newInvalidationId(),
      Status: 'Completed',
      CreateTime: new Date(),
      InvalidationBatch: batch,
    };
    this.options.purge(batch.Paths.Items);
    this.invalidations.set(invalidation.Id, invalidation);
    this.byCallerReference.set(batch.CallerReference, invalidation);
    return this.output(distributionId, invalidation);
  }

  private getInvalidation(input: CommandInput): CommandOutput {
    this.checkDistribution(input);
    const invalidation = typeof input.Id === 'string' ? this.invalidations.get(input.Id) : undefined;
    if (!invalidation) {
      throw new LocalServiceError(
        'NoSuchInvalidation',
        `The specified invalidation does not exist: ${String(input.Id)}`,
        {
          status: 404,
        },
      );
    }
    return { Invalidation: copyOf(invalidation) };
  }

  private output(distributionId: string, invalidation: Invalidation): CommandOutput {
    return {
      Location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${distributionId}/invalidation/${invalidation.Id}`,
      Invalidation: copyOf(invalidation),
    };
  }
}
