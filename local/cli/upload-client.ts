import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { basename, extname } from 'node:path';
import { VIDEO_TYPES } from '../../functions/create-upload/upload-request';

/** What the local app server answers; the same API as the cloud's behind CloudFront. */
export interface ServerInfo {
  appUrl: string;
  edgeUrl: string;
}

type SingleUpload = { method: 'PUT'; url: string; headers: Record<string, string> };
type MultipartUpload = {
  method: 'MULTIPART';
  partSize: number;
  parts: { partNumber: number; size: number; url: string }[];
  complete: { method: string; url: string; headers?: Record<string, string> };
  abort: { method: string; url: string };
};
interface CreatedUpload {
  assetId: string;
  upload: SingleUpload | MultipartUpload;
}

/** File extension -> content type, from the upload API's own allow-list. */
const CONTENT_TYPES: Record<string, string> = Object.fromEntries(
  Object.entries(VIDEO_TYPES).flatMap(([type, extensions]) => extensions.map((extension) => [`.${extension}`, type])),
);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function apiJson<T>(server: ServerInfo, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${server.appUrl}${path}`, init);
  const text = await response.text();
  const body = (text ? JSON.parse(text) : {}) as { message?: string };
  if (!response.ok) throw new ApiError(response.status, body.message ?? `${String(response.status)} from ${path}`);
  return body as T;
}

/** A token from the local issuer for a dev user (what a sign-in would give in the cloud). */
export async function devToken(server: ServerInfo, user: string, entitlements: string[]): Promise<string> {
  const { access_token: token } = await apiJson<{ access_token: string }>(server, '/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, entitlements }),
  });
  return token;
}

/** PUT a byte range of a file with progress; resolves to the response's ETag. */
function putFileRange(
  url: string,
  file: string,
  range: { start: number; end: number },
  headers: Record<string, string>,
  onBytes: (bytes: number) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const length = range.end - range.start;
    const req = httpRequest(
      url,
      { method: 'PUT', headers: { ...headers, 'content-length': String(length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 300) {
            const detail = /<Message>([^<]*)<\/Message>/.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
            reject(new ApiError(res.statusCode ?? 500, `upload refused: ${detail ?? String(res.statusCode)}`));
          } else {
            resolve(res.headers.etag ?? '');
          }
        });
      },
    );
    req.on('error', reject);
    const stream = createReadStream(file, { start: range.start, end: range.end - 1 });
    stream.on('data', (chunk) => {
      onBytes(chunk.length);
    });
    stream.on('error', reject);
    stream.pipe(req);
  });
}

/**
 * Uploads a file the way the page does: POST /api/uploads, then the pre-signed PUT (or multipart parts, complete).
 * `onProgress` gets the fraction sent.
 */
export async function uploadFile(
  server: ServerInfo,
  token: string,
  file: string,
  options: { title?: string; accessLevel?: string; onProgress?: (fraction: number) => void } = {},
): Promise<string> {
  const { size } = await stat(file);
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
  if (!contentType) throw new ApiError(400, `${basename(file)}: not a video file type vodflow accepts`);
  const created = await apiJson<CreatedUpload>(server, '/api/uploads', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      fileName: basename(file),
      contentType,
      size,
      title: options.title ?? basename(file, extname(file)),
      ...(options.accessLevel ? { accessLevel: options.accessLevel } : {}),
    }),
  });
  let sent = 0;
  const onBytes = (bytes: number) => {
    sent += bytes;
    options.onProgress?.(size === 0 ? 1 : sent / size);
  };
  const { upload } = created;
  if (upload.method === 'PUT') {
    await putFileRange(upload.url, file, { start: 0, end: size }, upload.headers, onBytes);
    return created.assetId;
  }
  try {
    const etags: string[] = [];
    let start = 0;
    for (const part of upload.parts) {
      etags.push(await putFileRange(part.url, file, { start, end: start + part.size }, {}, onBytes));
      start += part.size;
    }
    const xml = `<CompleteMultipartUpload>${etags
      .map((etag, index) => `<Part><PartNumber>${String(index + 1)}</PartNumber><ETag>${etag}</ETag></Part>`)
      .join('')}</CompleteMultipartUpload>`;
    const completed = await fetch(upload.complete.url, {
      method: upload.complete.method,
      headers: upload.complete.headers ?? { 'content-type': 'application/xml' },
      body: xml,
    });
    if (!completed.ok) throw new ApiError(completed.status, 'completing the multipart upload failed');
  } catch (error) {
    await fetch(upload.abort.url, { method: upload.abort.method }).catch(() => undefined);
    throw error;
  }
  return created.assetId;
}
