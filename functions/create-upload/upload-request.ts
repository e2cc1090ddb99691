import { DEFAULT_ACCESS_LEVEL } from '../commons/http/catalogue-asset';

/** Video types the pipeline ingests, with the file extensions each may carry. */
export const VIDEO_TYPES: Readonly<Record<string, readonly string[]>> = {
  'video/mp4': ['mp4', 'm4v'],
  'video/quicktime': ['mov', 'qt'],
  'video/x-matroska': ['mkv'],
  'video/webm': ['webm'],
  'video/x-msvideo': ['avi'],
  'video/mpeg': ['mpg', 'mpeg'],
  'video/mp2t': ['ts', 'm2ts', 'mts'],
};

export interface UploadPolicy {
  maxBytes: number;
  contentTypes: readonly string[];
  /** When set, the only access levels an upload may choose; otherwise any `[a-z0-9-]{1,32}`. */
  accessLevels?: readonly string[];
}

export interface UploadRequest {
  fileName: string;
  contentType: string;
  size: number;
  title: string;
  accessLevel: string;
}

const FIELDS = ['fileName', 'contentType', 'size', 'title', 'accessLevel'];
const ACCESS_LEVEL = /^[a-z0-9-]{1,32}$/;
// C0 and C1 control characters, and the Unicode bidi overrides that make a name display as something else.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const MAX_TITLE_LENGTH = 200;

/**
 * Validates `{ fileName, contentType, size, title?, accessLevel? }` and lists every problem, or returns the request.
 * The file name is only a label and an extension here: the object key is generated, never taken from the client.
 */
export function parseUploadRequest(
  body: unknown,
  policy: UploadPolicy,
): { ok: true; request: UploadRequest } | { ok: false; problems: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problems: ['body must be a JSON object'] };
  }
  const input = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(input)) {
    if (!FIELDS.includes(key)) problems.push(`unknown field ${JSON.stringify(key)}`);
  }

  const contentType = typeof input.contentType === 'string' ? input.contentType.trim().toLowerCase() : undefined;
  if (contentType === undefined) problems.push('contentType is required (a string)');
  else if (!policy.contentTypes.includes(contentType)) {
    problems.push(`contentType must be one of ${policy.contentTypes.join(', ')}`);
  }

  const fileName = input.fileName;
  if (typeof fileName !== 'string' || fileName === '') problems.push('fileName is required (a string)');
  else problems.push(...fileNameProblems(fileName, contentType));

  const size = input.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) {
    problems.push('size must be a whole number of bytes, at least 1');
  } else if (size > policy.maxBytes) {
    problems.push(`size must be at most ${policy.maxBytes} bytes`);
  }

  const title = input.title;
  if (title !== undefined) {
    if (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE_LENGTH) {
      problems.push(`title must be a non-empty string of at most ${MAX_TITLE_LENGTH} characters`);
    } else if (CONTROL_CHARACTERS.test(title)) problems.push('title must not contain control characters');
  }

  const accessLevel = input.accessLevel ?? DEFAULT_ACCESS_LEVEL;
  if (typeof accessLevel !== 'string' || !ACCESS_LEVEL.test(accessLevel)) {
    problems.push('accessLevel must be 1 to 32 characters of a-z, 0-9 and "-"');
  } else if (policy.accessLevels && !policy.accessLevels.includes(accessLevel)) {
    problems.push(`accessLevel must be one of ${policy.accessLevels.join(', ')}`);
  }

  if (problems.length > 0) return { ok: false, problems };
  const name = fileName as string;
  return {
    ok: true,
    request: {
      fileName: name,
      contentType: contentType as string,
      size: size as number,
      title: typeof title === 'string' ? title.trim() : name.replace(/\.[^.]+$/, ''),
      accessLevel: accessLevel as string,
    },
  };
}

/** A base name only: no directory, no traversal, no control characters, and a video extension matching the type. */
function fileNameProblems(fileName: string, contentType: string | undefined): string[] {
  const problems: string[] = [];
  if (fileName.length > 255) problems.push('fileName must be at most 255 characters');
  if (/[/\\]/.test(fileName)) problems.push('fileName must be a base name, without "/" or "\\"');
  if (fileName.includes('..')) problems.push('fileName must not contain ".."');
  if (CONTROL_CHARACTERS.test(fileName)) problems.push('fileName must not contain control characters');
  if (fileName.trim() !== fileName || fileName.startsWith('.')) {
    problems.push('fileName must not start with "." or whitespace, nor end with whitespace');
  }
  const extension = /\.([A-Za-z0-9]{1,5})$/.exec(fileName)?.[1]?.toLowerCase();
  const allowed = contentType === undefined ? undefined : VIDEO_TYPES[contentType];
  if (extension === undefined) problems.push('fileName must end with a video extension such as .mp4');
  else if (allowed && !allowed.includes(extension)) {
    problems.push(
      `fileName extension .${extension} does not match ${contentType ?? ''} (expected .${allowed.join(', .')})`,
    );
  }
  return problems;
}
