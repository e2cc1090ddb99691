import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CommandInput, CommandOutput } from '../../../seam/local-service';
import { CHECKSUM_ALGORITHMS } from '../checksums';
import type { LocalS3 } from '../local-s3';
import {
  completeMultipartUploadResult,
  initiateMultipartUploadResult,
  parseCompleteMultipartUpload,
  readXmlBody,
} from './multipart-xml';
import { actionOf, authorisePresigned, type PresignGrant } from './presigned-grants';
import { answerPreflight, applyCorsHeaders } from './s3-cors';
import { sendS3Error } from './s3-error-response';
import { requestErrors } from './s3-request-error';
import { splitTarget, verifyPresignedRequest, type S3Credentials } from './verify-presigned-request';

export interface S3HttpHandlerOptions {
  s3: LocalS3;
  /** The only key pair whose pre-signed URLs are accepted (the one the functions' environment carries). */
  credentials: S3Credentials;
  region: string;
  /** Where the app server mounts local S3, e.g. `/s3`: the functions' `AWS_ENDPOINT_URL_S3` ends with it. */
  pathPrefix: string;
  /**
   * What URLs signed with `credentials` may do: the policy of the role of the function that signs them (in local
   * mode, the upload API's). Anything else is 403 AccessDenied, as S3 answers a URL its signer may not use.
   */
  grants: PresignGrant[];
  /** Exact origins allowed to upload from a browser (the upload page's). */
  allowedOrigins: string[];
  /** The clock that decides expiry (tests move it). */
  now?: () => Date;
}

export type S3HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Serves pre-signed path-style S3 requests under the prefix: `PUT /s3/<bucket>/<key>` (PutObject, or UploadPart
 * with `partNumber` and `uploadId`), `GET`, `HEAD`, `POST ?uploads` / `POST ?uploadId=` (create / complete a
 * multipart upload), `DELETE` (the object, or `?uploadId=`: abort). Bodies stream to disk. Every request must carry a valid,
 * unexpired SigV4 query signature; errors are S3's XML. Never rejects: every failure becomes a response.
 */
export function createS3HttpHandler(options: S3HttpHandlerOptions): S3HttpHandler {
  const prefix = options.pathPrefix.replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());

  return async (req, res) => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    let resource = url.split('?')[0] ?? url;
    try {
      applyCorsHeaders(req, res, options.allowedOrigins);
      if (method === 'OPTIONS') {
        answerPreflight(req, res, options.allowedOrigins);
        return;
      }
      const target = objectTarget(url, prefix);
      resource = `/${target.bucket}/${target.key}`;
      const { query } = verifyPresignedRequest({ method, url, headers: req.headers }, { ...options, now: now() });
      res.setHeader('x-amz-request-id', requestId);
      const action = actionOf(method, query);
      if (action !== undefined) authorisePresigned(options.grants, action, target.bucket, target.key);

      if (method === 'PUT') {
        await putObjectOrPart(options.s3, target, query, req, res);
      } else if (method === 'GET' || method === 'HEAD') {
        await getObject(options.s3, target, query, req, res, method === 'HEAD');
      } else if (method === 'POST') {
        await createOrCompleteMultipartUpload(options.s3, target, query, req, res);
      } else if (method === 'DELETE') {
        await deleteObjectOrUpload(options.s3, target, query, res);
      } else {
        throw requestErrors.methodNotAllowed(`local S3 does not serve ${method} requests`);
      }
    } catch (error) {
      sendS3Error(res, error, { method, resource, requestId });
    } finally {
      // A refused upload's body is still arriving: read it away so the client gets the answer, not a reset.
      if (!req.readableEnded) req.resume();
    }
  };
}

interface ObjectTarget {
  bucket: string;
  key: string;
}

function objectTarget(url: string, prefix: string): ObjectTarget {
  const { path } = splitTarget(url);
  if (!path.startsWith(`${prefix}/`)) throw requestErrors.invalidUri();
  const rest = path.slice(prefix.length + 1);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) {
    throw requestErrors.notImplemented('local S3 over HTTP serves objects only: /<bucket>/<key>');
  }
  try {
    return { bucket: decodeURIComponent(rest.slice(0, slash)), key: decodeURIComponent(rest.slice(slash + 1)) };
  } catch {
    throw requestErrors.invalidUri();
  }
}

async function putObjectOrPart(
  s3: LocalS3,
  target: ObjectTarget,
  query: Map<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.headers['x-amz-copy-source'] !== undefined) {
    throw requestErrors.notImplemented('local S3 copies objects through the API (CopyObject), not over HTTP');
  }
  const partNumber = query.get('partNumber');
  const uploadId = query.get('uploadId');
  if ((partNumber === undefined) !== (uploadId === undefined)) {
    throw requestErrors.badRequest('UploadPart needs both partNumber and uploadId');
  }
  const input: CommandInput = {
    Bucket: target.bucket,
    Key: target.key,
    Body: req,
    ...bodyChecks(req.headers, query),
  };
  if (partNumber !== undefined && uploadId !== undefined) {
    if (!/^\d{1,5}$/.test(partNumber)) throw requestErrors.badRequest('partNumber must be a whole number');
    const output = await s3.handle('UploadPart', { ...input, UploadId: uploadId, PartNumber: Number(partNumber) });
    sendEmpty(res, output);
    return;
  }
  const output = await s3.handle('PutObject', {
    ...input,
    ...(req.headers['content-type'] !== undefined ? { ContentType: req.headers['content-type'] } : {}),
    Metadata: userMetadata(req.headers, query),
  });
  sendEmpty(res, output);
}

/** What the client announced about the body: its length and any checksum, from headers or hoisted into the URL. */
function bodyChecks(headers: IncomingHttpHeaders, query: Map<string, string>): CommandInput {
  const checks: CommandInput = {};
  const length = headers['content-length'];
  if (length !== undefined) checks.ContentLength = Number(length);
  const md5 = headers['content-md5'];
  if (md5 !== undefined) checks.ContentMD5 = md5;
  for (const algorithm of [...CHECKSUM_ALGORITHMS, 'CRC64NVME']) {
    const name = `x-amz-checksum-${algorithm.toLowerCase()}`;
    const value = query.get(name) ?? single(headers[name]);
    if (value !== undefined) checks[`Checksum${algorithm}`] = value;
  }
  const payloadHash = query.get('X-Amz-Content-Sha256') ?? single(headers['x-amz-content-sha256']);
  if (payloadHash?.startsWith('STREAMING-') === true) {
    throw requestErrors.notImplemented('local S3 does not accept aws-chunked (streaming) payloads');
  }
  if (payloadHash !== undefined && payloadHash !== 'UNSIGNED-PAYLOAD') {
    if (!/^[0-9a-f]{64}$/.test(payloadHash)) throw requestErrors.badRequest('x-amz-content-sha256 is not a SHA-256');
    checks.ChecksumSHA256 = Buffer.from(payloadHash, 'hex').toString('base64');
  }
  return checks;
}

function userMetadata(headers: IncomingHttpHeaders, query: Map<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && name.toLowerCase().startsWith('x-amz-meta-')) {
      metadata[name.slice('x-amz-meta-'.length).toLowerCase()] = value;
    }
  };
  for (const [name, value] of query) add(name, value);
  for (const [name, value] of Object.entries(headers)) add(name, single(value));
  return metadata;
}

async function getObject(
  s3: LocalS3,
  target: ObjectTarget,
  query: Map<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
  headOnly: boolean,
): Promise<void> {
  const input: CommandInput = { Bucket: target.bucket, Key: target.key };
  const versionId = query.get('versionId');
  if (versionId !== undefined) input.VersionId = versionId;
  if (headOnly) {
    const output = await s3.handle('HeadObject', input);
    writeObjectHeaders(res, output, 200);
    res.end();
    return;
  }
  const range = req.headers.range;
  const overrides = {
    ResponseContentType: query.get('response-content-type'),
    ResponseContentDisposition: query.get('response-content-disposition'),
    ResponseCacheControl: query.get('response-cache-control'),
  };
  const output = await s3.handle('GetObject', {
    ...input,
    ...(range !== undefined ? { Range: range } : {}),
    ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)),
  });
  const body = output.Body;
  if (!(body instanceof Readable)) throw new Error('GetObject returned no stream');
  writeObjectHeaders(res, output, output.ContentRange !== undefined ? 206 : 200);
  await pipeline(body, res);
}

async function createOrCompleteMultipartUpload(
  s3: LocalS3,
  target: ObjectTarget,
  query: Map<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const uploadId = query.get('uploadId');
  if (query.has('uploads')) {
    const contentType = req.headers['content-type'];
    const output = await s3.handle('CreateMultipartUpload', {
      Bucket: target.bucket,
      Key: target.key,
      ...(contentType !== undefined ? { ContentType: contentType } : {}),
      Metadata: userMetadata(req.headers, query),
    });
    sendXml(res, initiateMultipartUploadResult(output));
  } else if (uploadId !== undefined) {
    const parts = parseCompleteMultipartUpload(await readXmlBody(req));
    // The declared total, as a header or hoisted into the signed query string by the presigner.
    const objectSize = query.get('x-amz-mp-object-size') ?? single(req.headers['x-amz-mp-object-size']);
    if (objectSize !== undefined && !/^\d{1,15}$/.test(objectSize)) {
      throw requestErrors.badRequest('x-amz-mp-object-size must be a whole number of bytes');
    }
    const output = await s3.handle('CompleteMultipartUpload', {
      Bucket: target.bucket,
      Key: target.key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
      ...(objectSize !== undefined ? { MpuObjectSize: Number(objectSize) } : {}),
    });
    sendXml(res, completeMultipartUploadResult(output), output);
  } else {
    throw requestErrors.methodNotAllowed(
      'local S3 serves POST only with ?uploads or ?uploadId= (no browser form uploads)',
    );
  }
}

async function deleteObjectOrUpload(
  s3: LocalS3,
  target: ObjectTarget,
  query: Map<string, string>,
  res: ServerResponse,
): Promise<void> {
  const uploadId = query.get('uploadId');
  const object = { Bucket: target.bucket, Key: target.key };
  if (uploadId !== undefined) await s3.handle('AbortMultipartUpload', { ...object, UploadId: uploadId });
  else await s3.handle('DeleteObject', object);
  res.writeHead(204).end();
}

function sendXml(res: ServerResponse, xml: string, output: CommandOutput = {}): void {
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(xml),
  };
  if (typeof output.VersionId === 'string') headers['x-amz-version-id'] = output.VersionId;
  res.writeHead(200, headers).end(xml);
}

function writeObjectHeaders(res: ServerResponse, output: CommandOutput, status: number): void {
  const headers: Record<string, string> = {};
  const text = (name: string, header: string) => {
    const value = output[name];
    if (typeof value === 'string' || typeof value === 'number') headers[header] = String(value);
  };
  text('ContentType', 'Content-Type');
  text('ContentLength', 'Content-Length');
  text('ETag', 'ETag');
  text('AcceptRanges', 'Accept-Ranges');
  text('ContentRange', 'Content-Range');
  text('ContentDisposition', 'Content-Disposition');
  text('CacheControl', 'Cache-Control');
  text('VersionId', 'x-amz-version-id');
  if (output.LastModified instanceof Date) headers['Last-Modified'] = output.LastModified.toUTCString();
  const metadata = output.Metadata;
  if (typeof metadata === 'object' && metadata !== null) {
    for (const [name, value] of Object.entries(metadata)) headers[`x-amz-meta-${name}`] = String(value);
  }
  res.writeHead(status, headers);
}

function sendEmpty(res: ServerResponse, output: CommandOutput): void {
  const headers: Record<string, string> = { 'Content-Length': '0' };
  if (typeof output.ETag === 'string') headers.ETag = output.ETag;
  if (typeof output.VersionId === 'string') headers['x-amz-version-id'] = output.VersionId;
  res.writeHead(200, headers).end();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
