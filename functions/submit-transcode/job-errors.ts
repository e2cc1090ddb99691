/** The template lacks something the fitting relies on: a deployment error, never retried. */
export class InvalidJobTemplate extends Error {
  override readonly name = 'InvalidJobTemplate';
}

/** The request cannot become a job (impossible picture size, malformed S3 location): permanent. */
export class InvalidJobRequest extends Error {
  override readonly name = 'InvalidJobRequest';
}
