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
  /**
   * How long an invalidation stays InProgress (default 0: the local purge is immediate). CloudFront's limits on
   * invalidations in progress count only those still InProgress.
   */
  inProgressSeconds?: number;
  /** The clock (time is an input). */
  now?: () => Date;
}

interface Invalidation {
  Id: string;
  CreateTime: Date;
  InvalidationBatch: InvalidationBatch;
  /** Epoch milliseconds from which the invalidation is Completed. */
  completesAt: number;
}

// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html
/** Wildcard paths that may be in progress at one time per distribution. */
const MAX_WILDCARD_PATHS_IN_PROGRESS = 15;
/** Individual file paths that may be in progress at one time per distribution (counted apart from wildcards). */
const MAX_FILE_PATHS_IN_PROGRESS = 3000;

const isWildcard = (path: string) => path.endsWith('*');

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Invalidation ids look like CloudFront's: `I` and 13 upper-case letters or digits. */
function newInvalidationId(): string {
  return `I${[...randomBytes(13)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length] ?? 'X').join('')}`;
}

/**
 * CloudFront's invalidation API for the local edge's one distribution. The local purge is immediate; an
 * invalidation reads InProgress for `inProgressSeconds` (default 0: Completed when CreateInvalidation answers), and
 * while InProgress it counts against CloudFront's limits on invalidations in progress.
 */
export class LocalCloudFront implements LocalService {
  readonly service = 'CloudFront' as const;
  private readonly invalidations = new Map<string, Invalidation>();
  private readonly byCallerReference = new Map<string, Invalidation>();

  private readonly now: () => Date;

  constructor(private readonly options: LocalCloudFrontOptions) {
    this.now = options.now ?? (() => new Date());
  }

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
      // https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_InvalidationBatch.html (CallerReference)
      throw new LocalServiceError(
        'InvalidationBatchAlreadyExists',
        'Your request contains a caller reference that was used for a previous invalidation batch for the same distribution.',
        // CloudFront's model gives every *AlreadyExists error 409 Conflict; this one is not in the model.
        { status: 409 },
      );
    }
    const now = this.now();
    this.checkInProgressLimits(batch, now.getTime());
    const invalidation: Invalidation = {
      Id: newInvalidationId(),
      CreateTime: now,
      InvalidationBatch: batch,
      completesAt: now.getTime() + (this.options.inProgressSeconds ?? 0) * 1000,
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
    return { Invalidation: this.view(invalidation) };
  }

  /** Refuses a batch that would take the paths in progress past CloudFront's limits (wildcards counted apart). */
  // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html
  private checkInProgressLimits(batch: InvalidationBatch, now: number): void {
    const inProgress = [...this.invalidations.values()]
      .filter((invalidation) => invalidation.completesAt > now)
      .flatMap((invalidation) => invalidation.InvalidationBatch.Paths.Items);
    const paths = [...inProgress, ...batch.Paths.Items];
    const wildcards = paths.filter(isWildcard).length;
    const files = paths.length - wildcards;
    if (wildcards > MAX_WILDCARD_PATHS_IN_PROGRESS || files > MAX_FILE_PATHS_IN_PROGRESS) {
      throw new LocalServiceError(
        'TooManyInvalidationsInProgress',
        `Processing your request will cause you to exceed the maximum number of in-progress invalidations: at most ${String(MAX_WILDCARD_PATHS_IN_PROGRESS)} wildcard paths and ${String(MAX_FILE_PATHS_IN_PROGRESS)} file paths in progress, this batch would make ${String(wildcards)} and ${String(files)}`,
      );
    }
  }

  /** The invalidation as the API shows it now; a copy, so the stored one never changes if the caller edits it. */
  private view(invalidation: Invalidation) {
    const { CallerReference, Paths } = invalidation.InvalidationBatch;
    return {
      Id: invalidation.Id,
      Status: this.now().getTime() >= invalidation.completesAt ? 'Completed' : 'InProgress',
      CreateTime: new Date(invalidation.CreateTime.getTime()),
      InvalidationBatch: { CallerReference, Paths: { Quantity: Paths.Quantity, Items: [...Paths.Items] } },
    };
  }

  private output(distributionId: string, invalidation: Invalidation): CommandOutput {
    return {
      Location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${distributionId}/invalidation/${invalidation.Id}`,
      Invalidation: this.view(invalidation),
    };
  }
}
