import { compareKeys, type ObjectRecord } from './object-index';
import { s3Errors } from './s3-errors';

export interface ListRequest {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  continuationToken?: string;
  startAfter?: string;
}

export interface ListPage {
  contents: ObjectRecord[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
}

/** Where the previous page stopped: after a key, or after every key under a common prefix. */
interface Cursor {
  after: string;
  wholePrefix: boolean;
}

/**
 * One page of ListObjectsV2 over records already filtered by prefix and sorted: keys and common prefixes together
 * count towards MaxKeys, and the continuation token resumes right after the last thing returned.
 */
export function listObjectsPage(sorted: ObjectRecord[], request: ListRequest): ListPage {
  const cursor = request.continuationToken !== undefined ? decodeToken(request.continuationToken) : undefined;
  const after = cursor?.after ?? request.startAfter ?? '';
  const contents: ObjectRecord[] = [];
  const commonPrefixes: string[] = [];
  let last: Cursor | undefined;

  for (const record of sorted) {
    if (after !== '' && compareKeys(record.key, after) <= 0) continue;
    if (cursor?.wholePrefix === true && record.key.startsWith(cursor.after)) continue;
    const common = commonPrefixOf(record.key, request.prefix, request.delimiter);
    if (common !== undefined && common === last?.after && last.wholePrefix) continue;
    if (contents.length + commonPrefixes.length >= request.maxKeys) {
      return {
        contents,
        commonPrefixes,
        isTruncated: last !== undefined,
        ...(last !== undefined ? { nextContinuationToken: encodeToken(last) } : {}),
      };
    }
    if (common !== undefined) {
      commonPrefixes.push(common);
      last = { after: common, wholePrefix: true };
    } else {
      contents.push(record);
      last = { after: record.key, wholePrefix: false };
    }
  }
  return { contents, commonPrefixes, isTruncated: false };
}

function commonPrefixOf(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (delimiter === undefined || delimiter === '') return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

function encodeToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeToken(token: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof value.after === 'string' && typeof value.wholePrefix === 'boolean') {
      return { after: value.after, wholePrefix: value.wholePrefix };
    }
  } catch {
    // fall through to the S3 error below
  }
  throw s3Errors.invalidArgument('The continuation token provided is incorrect');
}
