/**
 * Named errors. A Lambda error's name becomes the Step Functions error name, so the ASL matches them by name
 * (`ErrorEquals: [SourceRejected]`). Rejections are permanent; everything else may be retried.
 */

/** The source can never be published as it is (empty, not media, no video, too long, unreadable). */
export class SourceRejected extends Error {
  override readonly name = 'SourceRejected';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The event or request is not what the function is wired for: a deployment error, not a transient one. */
export class InvalidEvent extends Error {
  override readonly name = 'InvalidEvent';
}

/** A required environment variable is missing: fails the cold start, so a bad deploy is visible at once. */
export class MissingConfiguration extends Error {
  override readonly name = 'MissingConfiguration';
}

/**
 * Whether an error is the AWS error of one of these names. Checked by name, not instanceof: the SDK's error classes
 * are per client package (two copies of a client give two classes), and local mode's service implementations
 * throw errors of the same names.
 */
export function isAwsError(error: unknown, ...names: string[]): error is Error {
  return error instanceof Error && names.includes(error.name);
}
