// Uploads a file through the pre-signed plan POST /api/uploads returns: one PUT, or S3 multipart (parts two at a
// time, then CompleteMultipartUpload). XMLHttpRequest, not fetch, because only XHR reports upload progress.
import { requestJson } from './api-client.js';

const PARALLEL_PARTS = 2;

// Browsers leave File.type empty for some containers; the upload API checks the type against its allow-list.
const TYPES_BY_EXTENSION = {
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
  mpg: 'video/mpeg',
  mpeg: 'video/mpeg',
  ts: 'video/mp2t',
};

export class UploadError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UploadError';
  }
}

export function contentTypeOf(file) {
  if (file.type) return file.type;
  const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
  return TYPES_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

/**
 * @param {File} file
 * @param {{ token?: string, title?: string, accessLevel?: string,
 *           onCreated?: (created: { assetId: string, status: string }) => void,
 *           onProgress?: (sent: number, total: number) => void }} options
 * @returns {Promise<{ assetId: string, status: string }>}
 */
export async function uploadFile(file, options) {
  const request = { fileName: file.name, contentType: contentTypeOf(file), size: file.size };
  if (options.title) request.title = options.title;
  if (options.accessLevel) request.accessLevel = options.accessLevel;
  const created = await requestJson('/api/uploads', { method: 'POST', token: options.token, body: request });
  if (typeof created?.assetId !== 'string' || !created.upload) {
    throw new UploadError('POST /api/uploads answered without an assetId and an upload plan');
  }
  options.onCreated?.({ assetId: created.assetId, status: created.status });
  const onProgress = options.onProgress ?? (() => {});
  const { upload } = created;
  if (upload.method === 'PUT') await putWhole(file, upload, onProgress);
  else if (upload.method === 'MULTIPART') await putMultipart(file, upload, onProgress);
  else throw new UploadError(`unknown upload method "${String(upload.method)}"`);
  onProgress(file.size, file.size);
  return { assetId: created.assetId, status: created.status };
}

async function putWhole(file, upload, onProgress) {
  await send({
    method: 'PUT',
    url: upload.url,
    headers: upload.headers ?? {},
    body: file,
    onProgress: (loaded) => onProgress(loaded, file.size),
  });
}

async function putMultipart(file, upload, onProgress) {
  const parts = [...(upload.parts ?? [])].sort((a, b) => a.partNumber - b.partNumber);
  const partSize = Number(upload.partSize);
  if (!(partSize > 0) || parts.length === 0 || parts.length * partSize < file.size) {
    throw new UploadError('the multipart plan does not cover the file (partSize x parts < size)');
  }
  const sentByPart = new Map();
  const report = () => {
    let sent = 0;
    for (const value of sentByPart.values()) sent += value;
    onProgress(Math.min(sent, file.size), file.size);
  };
  const aborter = new AbortController();
  const etags = new Map();
  let nextIndex = 0;

  async function worker() {
    while (nextIndex < parts.length && !aborter.signal.aborted) {
      const part = parts[nextIndex++];
      const start = (part.partNumber - 1) * partSize;
      const blob = file.slice(start, Math.min(start + partSize, file.size));
      const xhr = await send({
        method: 'PUT',
        url: part.url,
        headers: {},
        body: blob,
        signal: aborter.signal,
        onProgress: (loaded) => {
          sentByPart.set(part.partNumber, loaded);
          report();
        },
      });
      const etag = xhr.getResponseHeader('ETag');
      if (!etag) throw new UploadError(`part ${part.partNumber} was stored but its response has no ETag header`);
      etags.set(part.partNumber, etag);
      sentByPart.set(part.partNumber, blob.size);
      report();
    }
  }

  try {
    const workers = Array.from({ length: Math.min(PARALLEL_PARTS, parts.length) }, () =>
      worker().catch((error) => {
        aborter.abort();
        throw error;
      }),
    );
    await Promise.all(workers);
    const xml = completionXml(parts.map((part) => ({ partNumber: part.partNumber, etag: etags.get(part.partNumber) })));
    const completed = await send({
      method: upload.complete.method ?? 'POST',
      url: upload.complete.url,
      headers: { 'content-type': 'application/xml', ...(upload.complete.headers ?? {}) },
      body: xml,
    });
    // S3 may answer 200 to CompleteMultipartUpload and still carry an <Error> in the body.
    const failure = /<Error>[\s\S]*?<Message>([\s\S]*?)<\/Message>/.exec(completed.responseText ?? '');
    if (failure) throw new UploadError(`completing the upload failed: ${failure[1]}`);
  } catch (error) {
    aborter.abort();
    await abortMultipart(upload.abort);
    throw error;
  }
}

/** Best effort: the original failure is what the user needs to see, the abort only frees the stored parts. */
async function abortMultipart(abort) {
  if (!abort?.url) return;
  try {
    await fetch(abort.url, { method: abort.method ?? 'DELETE' });
  } catch {
    // The parts expire with the bucket's lifecycle rule when the abort cannot be sent.
  }
}

export function completionXml(parts) {
  const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = parts
    .map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${escape(part.etag)}</ETag></Part>`)
    .join('');
  return `<CompleteMultipartUpload>${body}</CompleteMultipartUpload>`;
}

/** One XHR; resolves with it on 2xx, rejects with the status and S3's message otherwise. */
function send({ method, url, headers, body, onProgress, signal }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onProgress) xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr);
      else reject(new UploadError(`${method} upload refused with HTTP ${xhr.status}${s3Message(xhr.responseText)}`));
    });
    xhr.addEventListener('error', () => reject(new UploadError(`${method} upload failed: the connection was lost`)));
    xhr.addEventListener('abort', () => reject(new UploadError('upload aborted')));
    if (signal) {
      if (signal.aborted) {
        reject(new UploadError('upload aborted'));
        return;
      }
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(body);
  });
}

function s3Message(text) {
  const message = /<Message>([\s\S]*?)<\/Message>/.exec(text ?? '')?.[1];
  if (message) return `: ${message}`;
  try {
    const parsed = JSON.parse(text);
    return typeof parsed?.message === 'string' ? `: ${parsed.message}` : '';
  } catch {
    return '';
  }
}
