import { s3Errors } from './s3-errors';

export interface ByteRange {
  start: number;
  /** Inclusive, as in Content-Range. */
  end: number;
}

/**
 * A `Range: bytes=...` header as S3 reads it: one range (`a-b`, `a-`, `-n`), clamped to the object. A header S3
 * would ignore (other units, several ranges, garbage) gives undefined: the whole object; a range that starts past
 * the end is InvalidRange (416).
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) throw s3Errors.invalidRange(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) throw s3Errors.invalidRange(size);
  return { start, end };
}
