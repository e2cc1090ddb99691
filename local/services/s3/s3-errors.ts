import { LocalServiceError } from '../../seam/local-service';

/** S3's own error names and statuses, so code that checks `error.name` or the HTTP status behaves as against AWS. */
export const s3Errors = {
  noSuchBucket: (bucket: string) =>
    new LocalServiceError('NoSuchBucket', `The specified bucket does not exist: ${bucket}`, { status: 404 }),
  noSuchKey: (key: string) =>
    new LocalServiceError('NoSuchKey', `The specified key does not exist: ${key}`, { status: 404 }),
  /** HeadObject has no body, so the SDK can only name the error after the status. */
  notFound: () => new LocalServiceError('NotFound', 'Not Found', { status: 404 }),
  noSuchUpload: (uploadId: string) =>
    new LocalServiceError(
      'NoSuchUpload',
      `The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed: ${uploadId}`,
      { status: 404 },
    ),
  noSuchVersion: (versionId: string) =>
    new LocalServiceError('NoSuchVersion', `The specified version does not exist: ${versionId}`, { status: 404 }),
  invalidPart: (message: string) => new LocalServiceError('InvalidPart', message, { status: 400 }),
  invalidPartOrder: () =>
    new LocalServiceError('InvalidPartOrder', 'The list of parts was not in ascending order.', { status: 400 }),
  entityTooSmall: (partNumber: number, size: number) =>
    new LocalServiceError(
      'EntityTooSmall',
      `Your proposed upload is smaller than the minimum allowed object size: part ${partNumber} has ${size} bytes, every part but the last needs at least 5 MiB`,
      { status: 400 },
    ),
  entityTooLarge: (size: number, limit: number) =>
    new LocalServiceError(
      'EntityTooLarge',
      `Your proposed upload exceeds the maximum allowed size (${String(size)} bytes, at most ${String(limit)})`,
      { status: 400 },
    ),
  metadataTooLarge: (size: number) =>
    new LocalServiceError(
      'MetadataTooLarge',
      `Your metadata headers exceed the maximum allowed metadata size (${String(size)} bytes, at most 2048)`,
      { status: 400 },
    ),
  invalidRequest: (message: string) => new LocalServiceError('InvalidRequest', message, { status: 400 }),
  malformedXml: (message: string) => new LocalServiceError('MalformedXML', message, { status: 400 }),
  invalidArgument: (message: string) => new LocalServiceError('InvalidArgument', message, { status: 400 }),
  invalidRange: (size: number) =>
    new LocalServiceError('InvalidRange', `The requested range is not satisfiable (object size ${size})`, {
      status: 416,
    }),
  keyTooLong: () =>
    new LocalServiceError('KeyTooLongError', 'Your key is too long (at most 1024 bytes)', { status: 400 }),
  badDigest: (algorithm: string) =>
    new LocalServiceError('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`, {
      status: 400,
    }),
  invalidDigest: (algorithm: string) =>
    new LocalServiceError('InvalidDigest', `The ${algorithm} you specified was invalid.`, { status: 400 }),
  incompleteBody: (expected: number, received: number) =>
    new LocalServiceError(
      'IncompleteBody',
      `You did not provide the number of bytes specified by the Content-Length HTTP header (${expected} expected, ${received} received)`,
      { status: 400 },
    ),
};
