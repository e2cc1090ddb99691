import { LocalServiceError } from '../../seam/local-service';

/** An invalidation batch as CreateInvalidation receives it (the ASL's InvalidateCache state sends this shape). */
export interface InvalidationBatch {
  CallerReference: string;
  Paths: { Quantity: number; Items: string[] };
}

/** CloudFront's limit on paths in one invalidation request. */
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html
const MAX_PATHS = 3000;

function invalidArgument(message: string): LocalServiceError {
  return new LocalServiceError('InvalidArgument', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw invalidArgument(`invalidation path ${JSON.stringify(path)} must start with /`);
  }
  // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html
  const star = path.indexOf('*');
  if (star >= 0 && star !== path.length - 1) {
    throw invalidArgument(`invalidation path ${path}: the * wildcard must be the last character`);
  }
  return path;
}

/** Validates a batch as CloudFront does: quantities consistent, at least one path, each from the root. */
export function parseInvalidationBatch(value: unknown): InvalidationBatch {
  if (!isRecord(value)) throw new LocalServiceError('MissingBody', 'InvalidationBatch is required');
  const callerReference = value.CallerReference;
  if (typeof callerReference !== 'string' || callerReference === '') {
    throw invalidArgument('InvalidationBatch.CallerReference is required');
  }
  const paths = value.Paths;
  if (!isRecord(paths)) throw invalidArgument('InvalidationBatch.Paths is required');
  const quantity = paths.Quantity;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 0) {
    throw invalidArgument('Paths.Quantity must be a non-negative integer');
  }
  const items = paths.Items ?? [];
  if (!Array.isArray(items)) throw invalidArgument('Paths.Items must be a list of paths');
  if (quantity !== items.length) {
    throw new LocalServiceError(
      'InconsistentQuantities',
      `Paths.Quantity is ${String(quantity)} but Paths.Items has ${String(items.length)} paths`,
    );
  }
  if (items.length === 0) throw invalidArgument('an invalidation needs at least one path');
  if (items.length > MAX_PATHS) {
    throw new LocalServiceError('BatchTooLarge', `at most ${String(MAX_PATHS)} paths per invalidation`, {
      status: 413,
    });
  }
  return { CallerReference: callerReference, Paths: { Quantity: quantity, Items: items.map(checkPath) } };
}

/** Whether two batches name the same paths (order does not matter to CloudFront). */
export function samePaths(a: InvalidationBatch, b: InvalidationBatch): boolean {
  const left = [...a.Paths.Items].sort();
  const right = [...b.Paths.Items].sort();
  return left.length === right.length && left.every((path, index) => path === right[index]);
}
